package dev.ferry.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's SQL, one resource per operation under {@code dev/ferry/postgres/sql/}, each with
 * a header naming its parameters and what it returns (River's layout: the SQL is readable and
 * reviewable on its own).
 *
 * <p>Resources are written with three kinds of placeholders, resolved once per broker:
 * <ul>
 *   <li>{@code {schema}} — the quoted schema name;</li>
 *   <li>{@code {now}} — broker time: the database's {@code now()} (the transaction's start), or,
 *       only when a test clock is injected, the named parameter {@code :now} that every
 *       statement of a transaction binds to the same instant of that clock;</li>
 *   <li>{@code :name} — a named parameter; JDBC only knows positional {@code ?}, so each
 *       occurrence becomes a {@code ?} and {@link Statement#positions} remembers which.</li>
 * </ul>
 * Quoted strings, quoted identifiers, comments and {@code ::} casts are left alone.
 */
public final class Sql {
    private static final String ROOT = "/dev/ferry/postgres/sql/";

    private final String schema;
    private final boolean testClock;
    private final Map<String, Statement> cache = new ConcurrentHashMap<>();

    /**
     * @param quotedSchema the schema as a quoted identifier
     * @param testClock    true when time comes from an injected clock (tests only)
     */
    public Sql(String quotedSchema, boolean testClock) {
        this.schema = quotedSchema;
        this.testClock = testClock;
    }

    /** True when statements take broker time from the {@code :now} parameter. */
    public boolean testClock() {
        return testClock;
    }

    /**
     * The statement of resource {@code name}.sql, ready to prepare. A name ending in
     * {@value #COMMIT_SUFFIX} is that statement followed by {@code COMMIT}, sent in the same
     * round trip (pgjdbc sends both before one Sync; an error in the first skips the commit).
     */
    public Statement get(String name) {
        return cache.computeIfAbsent(name, n -> {
            if (n.endsWith(COMMIT_SUFFIX)) {
                String base = n.substring(0, n.length() - COMMIT_SUFFIX.length());
                return parse(n, resolve(read(ROOT + base + ".sql")).strip() + ";\nCOMMIT");
            }
            return parse(n, resolve(read(ROOT + n + ".sql")));
        });
    }

    /** See {@link #get}. */
    static final String COMMIT_SUFFIX = "_commit";

    private String resolve(String text) {
        return text.replace("{schema}", schema).replace("{now}", testClock ? "(:now::timestamptz)" : "now()");
    }

    /** Reads a resource of this module as UTF-8 text. */
    static String read(String path) {
        try (InputStream in = Sql.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("ferry-postgres resource " + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ferry-postgres resource " + path, e);
        }
    }

    /** A parsed statement: JDBC text with {@code ?} and the parameter name of each position (1-based order). */
    public record Statement(String name, String jdbc, List<String> positions) {
    }

    static Statement parse(String name, String text) {
        StringBuilder out = new StringBuilder(text.length());
        List<String> positions = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                int end = text.indexOf(c, i + 1);
                end = end < 0 ? n : end + 1;
                out.append(text, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end; // comments are dropped: they are for readers of the file
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '$' && i + 1 < n && text.charAt(i + 1) == '$') {
                int end = text.indexOf("$$", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(text, i, end);
                i = end;
            } else if (c == ':' && i + 1 < n && text.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < n && isNameStart(text.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && isNamePart(text.charAt(end))) {
                    end++;
                }
                positions.add(text.substring(i + 1, end));
                out.append('?');
                i = end;
            } else if (c == '?') {
                throw new IllegalStateException("sql/" + name + ".sql uses '?': write named parameters (:name)");
            } else {
                out.append(c);
                i++;
            }
        }
        return new Statement(name, out.toString().strip(), List.copyOf(positions));
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || c == '_';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }
}
