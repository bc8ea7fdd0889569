package dev.ferry.testing.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The handlers' side effects as the worker processes recorded them: {@code <pid>.log} files of
 * {@code taskId attempt pid} lines. A last line without its newline (a write cut by SIGKILL,
 * which a single small {@code write(2)} should never produce) is reported, not counted.
 */
public record Ledger(List<Entry> entries, List<String> torn) {

    /** One completed handler run. */
    record Entry(String taskId, int attempt, long pid) {
    }

    static Ledger read(Path dir) {
        List<Entry> entries = new ArrayList<>();
        List<String> torn = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                int start = 0;
                while (start < text.length()) {
                    int nl = text.indexOf('\n', start);
                    if (nl < 0) {
                        torn.add(f.getFileName() + ": '" + text.substring(start) + "'");
                        break;
                    }
                    String[] parts = text.substring(start, nl).split(" ");
                    if (parts.length != 3) {
                        torn.add(f.getFileName() + ": '" + text.substring(start, nl) + "'");
                    } else {
                        entries.add(new Entry(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2])));
                    }
                    start = nl + 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Ledger(List.copyOf(entries), List.copyOf(torn));
    }

    /** Lines in all ledgers so far (cheap enough to poll). */
    public static long countLines(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            long n = 0;
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                n += linesIn(f);
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines written by one process so far. */
    static long countLines(Path dir, long pid) {
        return linesIn(dir.resolve(pid + ".log"));
    }

    private static long linesIn(Path file) {
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            long n = 0;
            for (byte b : Files.readAllBytes(file)) {
                if (b == '\n') {
                    n++;
                }
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Entries per task id, in ledger order per file. */
    Map<String, List<Entry>> byTask() {
        Map<String, List<Entry>> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            m.computeIfAbsent(e.taskId(), k -> new ArrayList<>()).add(e);
        }
        return m;
    }
}
