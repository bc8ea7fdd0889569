package dev.ferry.spring.autoconfigure;

import dev.ferry.Brokers;
import dev.ferry.InvalidInputException;
import dev.ferry.QueueSelection;
import dev.ferry.RetryPolicy;
import dev.ferry.TaskDefaults;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Ferry's settings under ferry.*. Every value is checked when the properties are bound; a
 * bad one stops the application with an {@link InvalidInputException} naming the property (for
 * example ferry.worker.concurrency).
 *
 * @param broker    where tasks are stored
 * @param defaults  the options a task gets when it does not set them
 * @param retry     the worker's default retry policy (exponential backoff with jitter)
 * @param worker    the worker that runs the application's @TaskHandler methods
 * @param scheduler the cron scheduler that fires @CronTask methods
 * @param server    Ferry's HTTP API and dashboard (needs ferry-server)
 * @param metrics   Micrometer meters (needs ferry-server and a MeterRegistry)
 */
@ConfigurationProperties("ferry")
public record FerryProperties(
        @DefaultValue Broker broker,
        @DefaultValue Defaults defaults,
        @DefaultValue Retry retry,
        @DefaultValue Worker worker,
        @DefaultValue Scheduler scheduler,
        @DefaultValue Server server,
        @DefaultValue Metrics metrics) {

    /** The broker URL word that opens PostgreSQL on the application's {@code DataSource}. */
    public static final String POSTGRESQL = "postgresql";
    /** The broker URL word that opens Redis with the application's {@code spring.data.redis.*} settings. */
    public static final String REDIS = "redis";

    /**
     * Where tasks are stored.
     *
     * @param url     the broker: a URL (sqlite:./ferry.db, redis://host:6379,
     *                postgresql://user@host/db), or postgresql to use the
     *                application's DataSource (so enqueues join Spring transactions), or
     *                redis to use the application's spring.data.redis.* connection
     * @param options backend options by name, as the URL's query would give them (for example
     *                schema and notify for PostgreSQL, keyPrefix for Redis)
     */
    public record Broker(@DefaultValue(Brokers.DEFAULT_URL) String url, Map<String, String> options) {
        public Broker {
            if (url == null || url.isBlank()) {
                throw new InvalidInputException("ferry.broker.url", "a broker is required, for example "
                        + Brokers.DEFAULT_URL + ", " + REDIS + " or " + POSTGRESQL);
            }
            url = url.strip();
            options = options == null ? Map.of() : Map.copyOf(options);
        }

        /** True for the bare word {@code postgresql} (or {@code postgres}): the application's DataSource. */
        boolean usesApplicationDataSource() {
            return url.equalsIgnoreCase(POSTGRESQL) || url.equalsIgnoreCase("postgres");
        }

        /** True for the bare word {@code redis}: the application's Redis connection settings. */
        boolean usesApplicationRedis() {
            return url.equalsIgnoreCase(REDIS);
        }
    }

    /**
     * The options a task gets when it does not set them itself.
     *
     * @param queue          the queue
     * @param priority       0..100, lower runs first
     * @param maxAttempts    attempts before a task goes to the dead set
     * @param timeout        per-attempt timeout
     * @param retention      how long completed and cancelled tasks and their results are kept
     * @param deadRetention  how long dead tasks are kept
     * @param maxPayloadSize the largest payload accepted
     */
    public record Defaults(
            @DefaultValue("default") String queue,
            @DefaultValue("50") int priority,
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("30m") Duration timeout,
            @DefaultValue("24h") Duration retention,
            @DefaultValue("7d") Duration deadRetention,
            @DefaultValue("1MB") DataSize maxPayloadSize) {
        public Defaults {
            long bytes = maxPayloadSize.toBytes();
            if (bytes < 1 || bytes > Integer.MAX_VALUE) {
                throw new InvalidInputException("ferry.defaults.max-payload-size", "must be between 1B and 2GB, was " + maxPayloadSize);
            }
            toTaskDefaults(queue, priority, maxAttempts, timeout, retention, deadRetention, (int) bytes);
        }

        /** These defaults as the core's value. */
        public TaskDefaults toTaskDefaults() {
            return toTaskDefaults(queue, priority, maxAttempts, timeout, retention, deadRetention, (int) maxPayloadSize.toBytes());
        }

        private static TaskDefaults toTaskDefaults(String queue, int priority, int maxAttempts, Duration timeout,
                Duration retention, Duration deadRetention, int maxPayloadBytes) {
            // the core names its fields "defaults.maxAttempts"; the property is ferry.defaults.max-attempts
            return named("ferry.", () -> new TaskDefaults(queue, priority, maxAttempts, timeout, retention, deadRetention,
                    maxPayloadBytes));
        }
    }

    /**
     * The worker's default retry policy: base * factor^(attempt-1), capped, plus up to
     * jitter of it at random. Task types and single tasks may set their own.
     *
     * @param base   delay after the first failure
     * @param factor growth per failure (at least 1)
     * @param cap    the longest delay
     * @param jitter random share added, 0..1, so that many failures do not retry in lockstep
     */
    public record Retry(
            @DefaultValue("1s") Duration base,
            @DefaultValue("2.0") double factor,
            @DefaultValue("1h") Duration cap,
            @DefaultValue("0.1") double jitter) {
        public Retry {
            toPolicy(base, factor, cap, jitter);
        }

        /** This policy as the core's value. */
        public RetryPolicy.Exponential toPolicy() {
            return toPolicy(base, factor, cap, jitter);
        }

        private static RetryPolicy.Exponential toPolicy(Duration base, double factor, Duration cap, double jitter) {
            return named("ferry.", () -> RetryPolicy.exponential(base, factor, cap, jitter));
        }
    }

    /**
     * The application's worker: it runs the @TaskHandler and @CronTask methods.
     *
     * @param enabled             whether this application runs a worker (off: it only enqueues)
     * @param queues              queues and their weights, for example critical: 6, default: 3,
     *                            low: 1; empty means the default queue only
     * @param strict              claim from the queues in the listed order (a lower queue waits while a
     *                            higher one has work) instead of by weight
     * @param concurrency         handler slots (virtual threads): tasks that run at once
     * @param prefetch            tasks claimed ahead of free slots (0 = fair)
     * @param lease               lease per claimed task, renewed every third of it while it runs
     * @param pollInterval        how long an idle worker waits before it claims again without a wake-up
     * @param shutdownGrace       on shutdown, how long running tasks get to finish before they are
     *                            released back to pending; keep it below
     *                            spring.lifecycle.timeout-per-shutdown-phase
     * @param maxLeaseExpirations lease expirations after which a task is poison and goes dead
     * @param maintenance         whether this worker also promotes due tasks, recovers expired leases
     *                            and prunes finished tasks (safe in many workers)
     */
    public record Worker(
            @DefaultValue("true") boolean enabled,
            Map<String, Integer> queues,
            @DefaultValue("false") boolean strict,
            @DefaultValue("10") int concurrency,
            @DefaultValue("0") int prefetch,
            @DefaultValue("30s") Duration lease,
            @DefaultValue("500ms") Duration pollInterval,
            @DefaultValue("20s") Duration shutdownGrace,
            @DefaultValue("3") int maxLeaseExpirations,
            @DefaultValue("true") boolean maintenance) {
        public Worker {
            queues = queues == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(queues));
            if (!queues.isEmpty()) {
                Map<String, Integer> q = queues;
                named("ferry.worker.", () -> QueueSelection.weighted(q));
            }
            range("ferry.worker.concurrency", concurrency, 1, 100_000);
            range("ferry.worker.prefetch", prefetch, 0, 100_000);
            range("ferry.worker.max-lease-expirations", maxLeaseExpirations, 1, Integer.MAX_VALUE);
            if (lease.toMillis() < 300) {
                throw new InvalidInputException("ferry.worker.lease", "must be at least 300ms, was " + lease);
            }
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new InvalidInputException("ferry.worker.poll-interval", "must be positive, was " + pollInterval);
            }
            if (shutdownGrace.isNegative()) {
                throw new InvalidInputException("ferry.worker.shutdown-grace", "must not be negative, was " + shutdownGrace);
            }
        }

        /** The queue selection, or null for the task defaults' queue. */
        QueueSelection selection() {
            if (queues.isEmpty()) {
                return null;
            }
            return strict ? QueueSelection.strict(queues.keySet().toArray(String[]::new)) : QueueSelection.weighted(queues);
        }
    }

    /**
     * The cron scheduler that fires @CronTask methods; it starts only when there is one.
     *
     * @param enabled      whether this application fires schedules (every instance may: one leader fires each tick)
     * @param tickInterval how often a round runs; the leader lease lasts three of them
     * @param group        the leader group; applications that share a backend but not their schedules
     *                     need different groups
     */
    public record Scheduler(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1s") Duration tickInterval,
            String group) {
        public Scheduler {
            if (tickInterval.toMillis() < 1 || tickInterval.compareTo(Duration.ofHours(1)) > 0) {
                throw new InvalidInputException("ferry.scheduler.tick-interval", "must be between 1ms and 1h, was " + tickInterval);
            }
            if (group != null && group.isBlank()) {
                group = null;
            }
        }
    }

    /**
     * Ferry's own HTTP server: the JSON API, the dashboard and /metrics on a port of its own.
     *
     * @param enabled whether to start it (needs ferry-server on the class path)
     * @param host    the address to bind; any non-loopback address requires credentials
     * @param port    the port (0 picks a free one)
     * @param auth    credentials callers must present
     */
    public record Server(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("127.0.0.1") String host,
            @DefaultValue("7070") int port,
            @DefaultValue Auth auth) {
        public Server {
            range("ferry.server.port", port, 0, 65_535);
            if (host == null || host.isBlank()) {
                throw new InvalidInputException("ferry.server.host", "must not be empty");
            }
        }

        /**
         * Credentials of the server.
         *
         * @param operatorToken a bearer token that may read and change (at least 12 characters)
         * @param viewerToken   a bearer token that may only read, for example for Prometheus
         * @param username      a basic-auth user (operator) for browsers
         * @param password      that user's password (at least 12 characters)
         */
        public record Auth(String operatorToken, String viewerToken, String username, String password) {
            public Auth {
                if ((username == null) != (password == null)) {
                    throw new InvalidInputException("ferry.server.auth", "set both username and password, or neither");
                }
            }
        }
    }

    /**
     * Micrometer meters of queues, tasks and workers, registered on the application's
     * MeterRegistry.
     *
     * @param enabled         whether to register them
     * @param refreshInterval how often the broker's counters are read for the gauges
     */
    public record Metrics(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10s") Duration refreshInterval) {
        public Metrics {
            if (refreshInterval.isNegative() || refreshInterval.isZero()) {
                throw new InvalidInputException("ferry.metrics.refresh-interval", "must be positive, was " + refreshInterval);
            }
        }
    }

    private static void range(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidInputException(property, max == Integer.MAX_VALUE ? "must be at least " + min + ", was " + value
                    : "must be between " + min + " and " + max + ", was " + value);
        }
    }

    /**
     * Runs a core check and renames the field it reports (defaults.maxAttempts) to the
     * property (ferry.defaults.max-attempts), so the error names what to fix.
     */
    static <T> T named(String prefix, Supplier<T> check) {
        try {
            return check.get();
        } catch (InvalidInputException e) {
            String problem = e.getMessage().startsWith(e.field() + ": ")
                    ? e.getMessage().substring(e.field().length() + 2) : e.getMessage();
            throw new InvalidInputException(prefix + kebab(e.field()), problem);
        }
    }

    /** {@code defaults.maxAttempts} → {@code defaults.max-attempts}. */
    static String kebab(String field) {
        StringBuilder sb = new StringBuilder(field.length() + 4);
        for (char c : field.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
