package dev.ferry.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.BrokerException;
import dev.ferry.postgres.internal.Db;
import dev.ferry.postgres.internal.Listener;
import dev.ferry.postgres.internal.Notifier;
import dev.ferry.postgres.internal.PgErrors;
import dev.ferry.postgres.internal.PgStore;
import dev.ferry.postgres.internal.PgUrl;
import dev.ferry.postgres.internal.Schema;
import dev.ferry.postgres.internal.Sql;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ForwardingBroker;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link Broker} on PostgreSQL (pgjdbc), for teams that already run PostgreSQL.
 *
 * <pre>{@code
 * try (PostgresBroker broker = PostgresBroker.open("postgresql://app:secret@db.internal:5432/app");
 *      Ferry ferry = Ferry.builder().broker(broker).build()) { ... }
 *
 * PostgresBroker broker = PostgresBroker.builder()
 *         .dataSource(applicationDataSource)   // or .url(...): a HikariCP pool of its own
 *         .schema("jobs")
 *         .notify(false)                       // behind PgBouncer in transaction mode
 *         .build();
 * }</pre>
 *
 * <p><b>Storage.</b> Tasks live in the schema {@code ferry} (configurable), created and upgraded
 * by a migrator on open unless {@linkplain Builder#migrate(boolean) turned off}. Unfinished tasks
 * sit in a small hot table; a task moves to a history table in the transaction that finishes
 * it, and pruning deletes history past its retention, so finished tasks never slow claims. Every
 * operation is one transaction; claims take many tasks per statement with
 * {@code FOR UPDATE SKIP LOCKED}, acks are written in batches. See {@code docs/postgres.md}.
 *
 * <p><b>Time</b> is the database's: due times, leases and retention use {@code now()} of the
 * server, never the clocks of the worker machines.
 *
 * <p><b>Wake-ups.</b> With notify on (the default), writes that make work ready send
 * {@code NOTIFY}; one connection per broker, outside the pool, listens and wakes idle workers
 * within milliseconds. With notify off, workers find work by polling.
 *
 * <p><b>Transactional enqueue</b>: {@link TransactionalEnqueue} enqueues with the application's
 * own {@link Connection}, so a task exists if and only if the application's transaction commits.
 *
 * <p>Thread-safe; failures surface as {@link BrokerException} (transient for lost connections,
 * serialization failures and a server restarting).
 */
public final class PostgresBroker extends ForwardingBroker {
    /** The default schema. */
    public static final String DEFAULT_SCHEMA = "ferry";
    /** The default size of the broker's own pool: the most connections its callers can hold at once. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10;
    /** The default wait for a new connection, or for a free one of the pool. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,49}");

    private final PgStore store;
    private final String schema;
    private final String description;

    private PostgresBroker(PgStore store, String schema, String description) {
        super(store);
        this.store = store;
        this.schema = schema;
        this.description = description;
    }

    /**
     * Opens a broker on {@code url} ({@code postgresql://user:password@host:5432/database?schema=ferry})
     * with the defaults: its own pool, schema migrated on open, notify on.
     *
     * @throws IllegalArgumentException for a malformed URL or bad parameter
     * @throws BrokerException when the database cannot be reached or the schema cannot be prepared
     */
    public static PostgresBroker open(String url) {
        return builder().url(url).build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The schema holding this broker's tables. */
    public String schema() {
        return schema;
    }

    /** True while the connection listening for wake-ups is up (always false with notify off). */
    public boolean isListening() {
        return store.isListening();
    }

    /** The internal store, for {@link TransactionalEnqueue}. */
    PgStore store() {
        return store;
    }

    /** Releases waiting workers, stops listening and closes the broker's own pool. Idempotent. */
    @Override
    public String toString() {
        return "PostgresBroker[" + description + "]";
    }

    /** Settings of a {@link PostgresBroker}; every one but the database has a default. */
    public static final class Builder {
        private PgUrl url;
        private String user;
        private String password;
        private DataSource dataSource;
        private String schema = DEFAULT_SCHEMA;
        private boolean migrate = true;
        private boolean notify = true;
        private Integer maxConnections;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Clock clock;

        private Builder() {
        }

        /**
         * The database, as {@code postgresql://user:password@host:5432/database?param=value} (also
         * {@code postgres://} or {@code jdbc:postgresql://}). The parameters {@code schema},
         * {@code migrate}, {@code notify}, {@code maxConnections} and {@code connectTimeout} set
         * the options of the same names; any other must be a pgjdbc connection property such as
         * {@code sslmode}. The broker opens a HikariCP pool of its own on it.
         *
         * @throws IllegalArgumentException for a malformed URL or bad parameter
         */
        public Builder url(String url) {
            PgUrl parsed = PgUrl.parse(url);
            this.url = parsed;
            for (var e : parsed.ferry().entrySet()) {
                option(e.getKey(), e.getValue());
            }
            return this;
        }

        /** Sets one option by name, as the URL's query parameters do; refuses unknown names and bad values. */
        public Builder option(String name, String value) {
            String v = value == null ? "" : value.trim();
            switch (name) {
                case "schema" -> schema(v);
                case "migrate" -> migrate(bool(name, v));
                case "notify" -> notify(bool(name, v));
                case "maxConnections" -> {
                    try {
                        maxConnections(Integer.parseInt(v));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("option 'maxConnections': expected a number, got '" + v + "'");
                    }
                }
                case "connectTimeout" -> connectTimeout(Durations.parse(name, v));
                default -> throw new IllegalArgumentException("unknown option '" + name
                        + "' for the postgresql broker; known options: " + PgUrl.FERRY_PARAMETERS);
            }
            return this;
        }

        /** User name, when not given in the URL. */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** Password, when not given in the URL. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /**
         * Uses the application's {@link DataSource} (pooled, for example HikariCP) instead of a
         * pool of the broker's own; its size bounds the broker's connections. With notify on, one
         * of its connections is held for {@code LISTEN} for as long as the broker is open.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * The schema of Ferry's tables: lower-case letters, digits and {@code _}, at most 50
         * characters. Default {@value PostgresBroker#DEFAULT_SCHEMA}.
         */
        public Builder schema(String schema) {
            if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
                throw new IllegalArgumentException("schema: '" + schema + "' is not a valid schema name: use lower-case"
                        + " letters, digits and _ (starting with a letter or _), at most 50 characters");
            }
            this.schema = schema;
            return this;
        }

        /**
         * Create or upgrade the schema on open (default true). Off for teams that migrate by hand:
         * the broker then only checks the schema version and refuses to open when it is behind.
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /**
         * Wake idle workers with LISTEN/NOTIFY (default true). Turn it off behind PgBouncer in
         * transaction pooling mode, where LISTEN does not work: workers then find work by polling.
         */
        public Builder notify(boolean notify) {
            this.notify = notify;
            return this;
        }

        /**
         * The size of the broker's own pool (default {@value PostgresBroker#DEFAULT_MAX_CONNECTIONS}):
         * however many threads (virtual ones included) use the broker, at most this many
         * connections are open, plus one for LISTEN. Not for a {@link #dataSource}: size that instead.
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1 || maxConnections > 1000) {
                throw new IllegalArgumentException("maxConnections: must be between 1 and 1000, was " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /** How long to wait for a new connection, or for a free one of the pool. Default 10 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            if (connectTimeout.toMillis() < 250) {
                throw new IllegalArgumentException("connectTimeout: must be at least 250 ms, was " + connectTimeout);
            }
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * <b>Test hook.</b> Takes broker time from this clock instead of the database's
         * {@code now()}, so tests can move time (a {@code ManualClock}). Never set it in
         * production: time must come from one place, the database, not from worker machines.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Connects, prepares the schema (or checks it, with migrate off) and starts listening.
         *
         * @throws IllegalArgumentException for settings that contradict each other
         * @throws BrokerException when the database cannot be reached, refuses the login, or the
         *                         schema cannot be prepared; {@link BrokerException#isTransient()}
         *                         tells whether trying again later may help
         */
        public PostgresBroker build() {
            if ((url == null) == (dataSource == null)) {
                throw new IllegalArgumentException(url == null
                        ? "url or dataSource is required, for example url(\"postgresql://user@localhost:5432/app\")"
                        : "set url or dataSource, not both");
            }
            if (dataSource != null && maxConnections != null) {
                throw new IllegalArgumentException("maxConnections sizes the broker's own pool; with a dataSource,"
                        + " size that data source instead");
            }
            String quoted = "\"" + schema + "\"";
            String channel = "ferry_wake_" + schema;
            String description = (url != null ? url.display() + " " : "") + "schema " + schema;
            String name = "postgres broker (" + description + ")";

            Callable<Connection> direct;
            DataSource pooled;
            AutoCloseable pool = null;
            if (url != null) {
                Properties props = driverProperties();
                String jdbcUrl = url.jdbcUrl();
                org.postgresql.Driver driver = new org.postgresql.Driver();
                direct = () -> {
                    Connection c = driver.connect(jdbcUrl, props);
                    if (c == null) {
                        throw new SQLException("pgjdbc does not accept the URL " + jdbcUrl, "08001");
                    }
                    return c;
                };
                HikariConfig config = new HikariConfig();
                config.setPoolName("ferry-" + schema);
                config.setJdbcUrl(jdbcUrl);
                config.setDataSourceProperties(props);
                config.setMaximumPoolSize(maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections);
                config.setMinimumIdle(1);
                config.setAutoCommit(false);
                config.setConnectionTimeout(connectTimeout.toMillis());
                // Checked below with a clear error; the pool itself must not fail or log at construction.
                config.setInitializationFailTimeout(-1);
                HikariDataSource hikari = new HikariDataSource(config);
                pooled = hikari;
                pool = hikari;
            } else {
                direct = dataSource::getConnection;
                pooled = dataSource;
            }
            try {
                try (Connection c = direct.call()) {
                    if (migrate) {
                        Schema.migrate(c, schema, quoted);
                    } else {
                        Schema.check(c, schema, quoted);
                    }
                }
            } catch (SQLException e) {
                closeQuietly(pool);
                throw PgErrors.translate(name + ": cannot open", e);
            } catch (RuntimeException e) {
                closeQuietly(pool);
                throw e;
            } catch (Exception e) {
                closeQuietly(pool);
                throw new BrokerException(name + ": cannot open: " + e.getMessage(), false, e);
            }
            Notifier notifier = new Notifier();
            Listener listener = null;
            if (notify) {
                listener = new Listener(direct, channel, notifier, "ferry-pg-listen-" + schema);
                listener.start();
                listener.awaitFirstAttempt(connectTimeout);
            }
            Db db = new Db(pooled, new Sql(quoted, clock != null), clock, notify ? channel : null, notifier, name);
            return new PostgresBroker(new PgStore(db, notifier, listener, pool), schema, description);
        }

        private Properties driverProperties() {
            Properties props = new Properties();
            String u = user != null ? user : url.user();
            String p = password != null ? password : url.password();
            if (u != null) {
                props.setProperty("user", u);
            }
            if (p != null) {
                props.setProperty("password", p);
            }
            props.setProperty("ApplicationName", "ferry");
            props.setProperty("tcpKeepAlive", "true");
            props.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
            return props;
        }

        private static boolean bool(String name, String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "on", "yes", "1" -> true;
                case "false", "off", "no", "0" -> false;
                default -> throw new IllegalArgumentException("option '" + name + "': expected true or false, got '"
                        + value + "'");
            };
        }

        private static void closeQuietly(AutoCloseable c) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing with a better error
                }
            }
        }
    }
}
