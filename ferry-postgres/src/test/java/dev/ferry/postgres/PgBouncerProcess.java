package dev.ferry.postgres;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PgBouncer that a test starts as a child process in front of the test database
 * ({@link TestDatabase#url()}), in transaction pooling mode, on a free loopback port, with trust
 * authentication towards its clients and the test database's own credentials towards the server.
 *
 * <p>It offers two databases: {@code test} (the test database, with the pool size given) and
 * {@code test_single} (the same database through a pool of one server connection, so every
 * client shares it: what a client leaves behind on the server is seen by the next).
 *
 * <p>PgBouncer refuses to run as root; as root it is started with {@code -u nobody}, which it
 * applies after reading its configuration. Its log goes to {@code pgbouncer.log} next to the
 * configuration and is quoted in every failure.
 */
final class PgBouncerProcess implements AutoCloseable {
    /** Version 1.21 added prepared statements in transaction mode ({@code max_prepared_statements}). */
    static final List<Integer> PREPARED_STATEMENTS_SINCE = List.of(1, 21);

    private static final Pattern UPSTREAM =
            Pattern.compile("postgres(?:ql)?://(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?]+)(?::(\\d+))?/([^?]+)(?:\\?.*)?");
    private static final Pattern VERSION = Pattern.compile("PgBouncer (\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private final Process process;
    private final int port;
    private final String user;
    private final Path log;

    private PgBouncerProcess(Process process, int port, String user, Path log) {
        this.process = process;
        this.port = port;
        this.user = user;
        this.log = log;
    }

    /** The pgbouncer binary: on the PATH, else Debian's {@code /usr/sbin/pgbouncer}. */
    static Optional<Path> binary() {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add("/usr/sbin");
        dirs.add("/usr/local/sbin");
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, "pgbouncer"))
                .filter(Files::isExecutable).findFirst();
    }

    /** {@code pgbouncer --version} as major, minor (and patch) numbers. */
    static List<Integer> version(Path binary) {
        String out = run(binary.toString(), "--version");
        Matcher m = VERSION.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("cannot read the version of " + binary + " from: " + out);
        }
        List<Integer> v = new ArrayList<>();
        for (int g = 1; g <= 3 && m.group(g) != null; g++) {
            v.add(Integer.parseInt(m.group(g)));
        }
        return v;
    }

    /** True when {@code version} is at least {@code other} (compared part by part). */
    static boolean atLeast(List<Integer> version, List<Integer> other) {
        for (int i = 0; i < other.size(); i++) {
            int mine = i < version.size() ? version.get(i) : 0;
            if (mine != other.get(i)) {
                return mine > other.get(i);
            }
        }
        return true;
    }

    /**
     * Writes {@code pgbouncer.ini} and {@code userlist.txt} into {@code dir} and starts PgBouncer
     * in transaction pooling mode; returns once it accepts connections.
     *
     * @param poolSize  server connections per database and user for {@code test}
     * @param settings  more {@code [pgbouncer]} settings (for example {@code max_prepared_statements})
     */
    static PgBouncerProcess start(Path binary, Path dir, int poolSize, Map<String, String> settings) throws IOException {
        Matcher m = UPSTREAM.matcher(TestDatabase.url());
        if (!m.matches()) {
            throw new IllegalStateException("cannot put PgBouncer in front of " + TestDatabase.url().replaceAll(":[^:@/]*@", ":***@"));
        }
        String user = m.group(1) == null || m.group(1).isEmpty() ? System.getProperty("user.name") : m.group(1);
        String password = m.group(2);
        String server = "host=" + m.group(3) + " port=" + (m.group(4) == null ? "5432" : m.group(4))
                + " dbname=" + m.group(5) + " user=" + user + (password == null ? "" : " password=" + password);

        Map<String, String> ini = new LinkedHashMap<>();
        ini.put("listen_addr", "127.0.0.1");
        ini.put("unix_socket_dir", "");
        ini.put("auth_type", "trust");
        ini.put("auth_file", dir.resolve("userlist.txt").toString());
        ini.put("pool_mode", "transaction");
        ini.put("default_pool_size", Integer.toString(poolSize));
        ini.put("max_client_conn", "200");
        ini.putAll(settings);

        // trust still requires the user name to be listed in auth_file.
        Files.writeString(dir.resolve("userlist.txt"), "\"" + user + "\" \"\"\n", StandardCharsets.UTF_8);
        Path log = dir.resolve("pgbouncer.log");
        IOException lastFailure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            StringBuilder text = new StringBuilder("[databases]\n")
                    .append("test = ").append(server).append('\n')
                    .append("test_single = ").append(server).append(" pool_size=1\n")
                    .append("\n[pgbouncer]\nlisten_port = ").append(port).append('\n');
            ini.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            Path config = dir.resolve("pgbouncer.ini");
            Files.writeString(config, text, StandardCharsets.UTF_8);

            List<String> command = new ArrayList<>(List.of(binary.toString()));
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("-u", "nobody")); // it will not run as root
            }
            command.add(config.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            PgBouncerProcess bouncer = new PgBouncerProcess(process, port, user, log);
            try {
                bouncer.awaitReady();
                return bouncer;
            } catch (RuntimeException e) {
                bouncer.close();
                lastFailure = new IOException("PgBouncer did not start on port " + port + ": " + e.getMessage()
                        + "\n--- pgbouncer.log ---\n" + bouncer.log(), e);
            }
        }
        throw lastFailure;
    }

    private void awaitReady() {
        await("PgBouncer accepting connections on 127.0.0.1:" + port).atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .failFast("pgbouncer exited", () -> !process.isAlive())
                .until(() -> {
                    try (Connection c = connect("test", "prepareThreshold=0"); Statement s = c.createStatement()) {
                        s.execute("SELECT 1");
                        return true;
                    }
                });
    }

    /** A broker URL through PgBouncer to the test database, with the query parameters given. */
    String url(String query) {
        return "postgresql://" + user + "@127.0.0.1:" + port + "/test" + (query.isEmpty() ? "" : "?" + query);
    }

    /** A plain JDBC connection through PgBouncer (auto-commit on), with pgjdbc properties as a query. */
    Connection connect(String database, String query) throws SQLException {
        String jdbc = "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=5"
                + (query.isEmpty() ? "" : "&" + query);
        return DriverManager.getConnection(jdbc, user, null);
    }

    /** What PgBouncer logged so far. */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Stops PgBouncer (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }
}
