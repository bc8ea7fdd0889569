package dev.ferry.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * An aligned text table: columns as wide as their widest cell, two spaces apart, numbers (columns
 * declared right-aligned) flush right so digits line up.
 */
final class Table {
    private final List<String> headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /** Headers; a header starting with {@code >} is a right-aligned column (the mark is not shown). */
    Table(String... headers) {
        this.headers = new ArrayList<>();
        this.right = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            boolean r = headers[i].startsWith(">");
            right[i] = r;
            this.headers.add(r ? headers[i].substring(1) : headers[i]);
        }
    }

    /** Adds a row; null cells show as {@code -}. */
    Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "-" : String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        print(out, true);
    }

    /** Key/value listings read better without a header line. */
    void printWithoutHeader(PrintWriter out) {
        print(out, false);
    }

    private void print(PrintWriter out, boolean withHeader) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = withHeader ? headers.get(i).length() : 0;
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        if (withHeader) {
            out.println(line(headers.toArray(String[]::new), width));
        }
        for (String[] r : rows) {
            out.println(line(r, width));
        }
        out.flush();
    }

    private String line(String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append("  ");
            }
            String c = cells[i];
            int pad = width[i] - c.length();
            if (right[i]) {
                sb.append(" ".repeat(pad)).append(c);
            } else if (i < cells.length - 1) {
                sb.append(c).append(" ".repeat(pad));
            } else {
                sb.append(c); // no trailing blanks on the last column
            }
        }
        return sb.toString().stripTrailing();
    }

    /** Cuts {@code text} to one line of at most {@code max} characters, marking the cut with an ellipsis. */
    static String clip(String text, int max) {
        if (text == null) {
            return null;
        }
        String oneLine = text.replaceAll("\\s*\\R\\s*", " ").strip();
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, Math.max(0, max - 1)) + "…";
    }
}
