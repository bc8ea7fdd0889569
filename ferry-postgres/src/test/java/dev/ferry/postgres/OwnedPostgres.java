package dev.ferry.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, for what must not happen to the shared one: stopping it
 * in immediate mode (every backend killed at once, like a crash: recovery replays the WAL at the
 * next start) and starting it again. A fresh cluster ({@code initdb}) in a temporary directory on
 * a free port, run with the machine's server binaries ({@code FERRY_PG_BIN}, else the newest
 * {@code /usr/lib/postgresql/<version>/bin}). PostgreSQL refuses to run as root, so as root the
 * commands run as the {@code postgres} user through {@code runuser}.
 */
final class OwnedPostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;

    private OwnedPostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Creates and starts a fresh cluster. */
    static OwnedPostgres start() throws IOException {
        Path bin = findBinaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ferry-pg-");
        OwnedPostgres pg = new OwnedPostgres(bin, dir, freePort(), root);
        if (root) {
            run(List.of("chown", "postgres", dir.toString()), 30);
        }
        pg.pg("initdb", "-D", pg.data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
                "--no-instructions");
        pg.startServer();
        return pg;
    }

    /** The URL of the cluster's {@code postgres} database. */
    String url() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    int port() {
        return port;
    }

    void startServer() {
        pg("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                        + " -c max_connections=100 -c fsync=on -c synchronous_commit=on",
                "start");
    }

    /** Stops the server in immediate mode: no checkpoint, every backend killed, as in a crash. */
    void stopImmediate() {
        pg("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
    }

    /** The end of the server's log, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("server.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no server log: " + e + ")";
        }
    }

    @Override
    public void close() {
        try {
            pg("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
        } catch (RuntimeException alreadyStopped) {
            // stopped by the test, or never started
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pg(String tool, String... args) {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(List.of(args));
        run(cmd, 90);
    }

    private static void run(List<String> cmd, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + "\n"
                        + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + cmd, e);
        }
    }

    private static Path findBinaries() {
        String env = System.getenv("FERRY_PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl")))
                        .max(Comparator.comparingInt(v -> parseVersion(v.getFileName().toString())))
                        .orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("this test runs a PostgreSQL server of its own and needs the server binaries"
                + " (initdb, pg_ctl): install the postgresql package or set FERRY_PG_BIN to their directory");
    }

    private static int parseVersion(String s) {
        try {
            return Integer.parseInt(s.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
