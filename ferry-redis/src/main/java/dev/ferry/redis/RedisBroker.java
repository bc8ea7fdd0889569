package dev.ferry.redis;

import dev.ferry.BrokerException;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.WorkerInfo;
import dev.ferry.redis.internal.Context;
import dev.ferry.redis.internal.Coordination;
import dev.ferry.redis.internal.Directory;
import dev.ferry.redis.internal.Endpoint;
import dev.ferry.redis.internal.Flow;
import dev.ferry.redis.internal.Housekeeping;
import dev.ferry.redis.internal.Inspection;
import dev.ferry.redis.internal.Keys;
import dev.ferry.redis.internal.Lifecycle;
import dev.ferry.redis.internal.RedisConnection;
import dev.ferry.redis.internal.Urls;
import dev.ferry.redis.internal.Waker;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AckResponse;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.AdminResponse;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.Broker;
import dev.ferry.spi.BrokerCapabilities;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimResponse;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.EnqueueResponse;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.LeaderResponse;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import dev.ferry.spi.ProgressRequest;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PromoteResponse;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.PruneResponse;
import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecordResponse;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import dev.ferry.spi.ReleaseRequest;
import dev.ferry.spi.ReleaseResponse;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import dev.ferry.spi.TaskPage;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Broker} on Redis (standalone, Sentinel or Cluster), through Lettuce.
 *
 * <pre>{@code
 * try (Broker broker = RedisBroker.open("redis://localhost:6379")) { ... }
 *
 * Broker broker = RedisBroker.builder("rediss://app:secret@redis.internal:6380")
 *         .keyPrefix("billing")
 *         .build();
 * Broker cluster = RedisBroker.builder("redis-cluster://10.0.0.1:7000,10.0.0.2:7000").build();
 * }</pre>
 *
 * <p><b>How it stores tasks.</b> Every state transition is one Lua script (resources under
 * {@code dev/ferry/redis/lua/}), so each is atomic on the server. All keys of a queue share the hash
 * tag {@code {queue}}: a Redis Cluster spreads queues over its nodes. The size of the sorted set
 * {@code <prefix>:{<queue>}:pending} holds the queue's ready tasks, and the length of the list
 * {@code <prefix>:{<queue>}:ready} always equals its size (KEDA's {@code listName}). See
 * {@code docs/redis.md} for the key layout, URLs and options.
 *
 * <p><b>Time</b> for due times, leases and retention is the Redis server's clock ({@code TIME},
 * read inside each script), never the workers'.
 *
 * <p><b>Safety at start.</b> The broker refuses to start when a server's {@code maxmemory-policy}
 * is not {@code noeviction} (Redis could silently evict tasks), unless
 * {@link Builder#allowEviction(boolean)} says that is accepted.
 *
 * <p>Thread-safe; failures surface as {@link BrokerException}, transient for connection trouble.
 */
public final class RedisBroker implements Broker {
    /** Default key prefix. */
    public static final String DEFAULT_PREFIX = "ferry";
    /** Default bound on one Redis command. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
    /** Default time to wait for an unreachable Redis at start, retrying with backoff. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(10);

    private static final BrokerCapabilities CAPABILITIES = new BrokerCapabilities("redis", true, true, true, false);

    private final RedisConnection redis;
    private final Keys keys;
    private final Lifecycle lifecycle;
    private final Housekeeping housekeeping;
    private final Inspection inspection;
    private final Coordination coordination;
    private final Flow flow;
    private final Waker waker;

    private RedisBroker(RedisConnection redis, Keys keys, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        Context ctx = new Context(redis, keys, clock);
        Directory directory = new Directory(ctx);
        this.lifecycle = new Lifecycle(ctx, directory);
        this.housekeeping = new Housekeeping(ctx, lifecycle);
        this.inspection = new Inspection(ctx, directory, lifecycle);
        this.coordination = new Coordination(ctx);
        this.flow = new Flow(ctx);
        this.waker = new Waker(redis, q -> keys.queue(q).wake());
    }

    /**
     * Opens a broker with the defaults for a URL such as {@code redis://localhost:6379}.
     *
     * @throws IllegalArgumentException for a malformed URL
     * @throws BrokerException          when Redis cannot be reached or is configured unsafely
     */
    public static RedisBroker open(String url) {
        return builder(url).build();
    }

    /**
     * A builder for the Redis at {@code url}: {@code redis://}, {@code rediss://} (TLS),
     * {@code redis-sentinel://...#master}, {@code redis-cluster://host:port,host:port}
     * (and {@code rediss-cluster://}); user and password as {@code redis://user:password@host}.
     *
     * @throws IllegalArgumentException for a malformed URL
     */
    public static Builder builder(String url) {
        return new Builder(Urls.parse(url));
    }

    /** A builder for one standalone server or a Sentinel-managed master described by a Lettuce URI. */
    public static Builder builder(RedisURI uri) {
        Objects.requireNonNull(uri, "uri");
        return new Builder(new Endpoint(List.of(uri), false, Urls.redact(uri.toString())));
    }

    /** A builder for a Redis Cluster reached through these seed nodes. */
    public static Builder cluster(List<RedisURI> seeds) {
        Objects.requireNonNull(seeds, "seeds");
        return new Builder(new Endpoint(seeds, true, "cluster " + seeds.stream()
                .map(u -> u.getHost() + ":" + u.getPort()).toList()));
    }

    /** The key prefix of this broker's keys. */
    public String keyPrefix() {
        return keys.prefix();
    }

    /**
     * The list whose length ({@code LLEN}) is the queue's count of pending tasks: KEDA's redis
     * scaler {@code listName}, for example {@code ferry:{emails}:ready}. Delayed and retrying tasks
     * join it when a promoter (a worker, {@code ferry server} or {@code ferry scheduler}) makes them
     * pending.
     */
    public String readyKey(String queue) {
        return keys.queue(queue).ready();
    }

    @Override
    public BrokerCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public EnqueueResponse enqueue(EnqueueRequest request) {
        return lifecycle.enqueue(request);
    }

    @Override
    public ClaimResponse claim(ClaimRequest request) {
        return lifecycle.claim(request);
    }

    @Override
    public RenewResponse renew(RenewRequest request) {
        return lifecycle.renew(request);
    }

    @Override
    public AckResponse ack(AckRequest request) {
        return lifecycle.ack(request);
    }

    @Override
    public ReleaseResponse release(ReleaseRequest request) {
        return lifecycle.release(request);
    }

    @Override
    public boolean progress(ProgressRequest request) {
        return lifecycle.progress(request);
    }

    @Override
    public RecoverResponse recoverExpired(RecoverRequest request) {
        return housekeeping.recoverExpired(request);
    }

    @Override
    public PromoteResponse promote(PromoteRequest request) {
        return housekeeping.promote(request);
    }

    @Override
    public PruneResponse prune(PruneRequest request) {
        return housekeeping.prune(request);
    }

    /**
     * Waits for a wake-up published by the server for one of the queues (pub/sub on a connection of
     * its own), or the timeout (real time). Returns promptly on {@link #close()} and on interrupt.
     */
    @Override
    public boolean awaitWork(AwaitRequest request) throws InterruptedException {
        return waker.awaitWork(request.queues(), request.timeout());
    }

    @Override
    public List<QueueStats> stats(List<String> queues) {
        return inspection.stats(queues);
    }

    @Override
    public TaskPage list(ListRequest request) {
        return inspection.list(request);
    }

    @Override
    public Optional<TaskInfo> get(String taskId) {
        return inspection.get(taskId);
    }

    @Override
    public AdminResponse admin(AdminCommand command) {
        return inspection.admin(command);
    }

    @Override
    public Optional<String> idempotency(IdempotencyRequest request) {
        return coordination.idempotency(request);
    }

    @Override
    public LeaderResponse lead(LeaderRequest request) {
        return coordination.lead(request);
    }

    @Override
    public void heartbeat(WorkerInfo worker) {
        coordination.heartbeat(worker);
    }

    @Override
    public List<WorkerInfo> workers() {
        return coordination.workers();
    }

    @Override
    public void unregister(String workerId) {
        coordination.unregister(workerId);
    }

    /**
     * Token buckets and semaphores, one key each with its own hash tag, one script call per
     * operation (sent together), on the Redis server's clock. Idle buckets and semaphores expire by
     * themselves.
     */
    @Override
    public PermitResponse permits(PermitRequest request) {
        return flow.permits(request);
    }

    /** Records: one hash per namespace, kept until deleted. */
    @Override
    public RecordResponse records(RecordCommand command) {
        return flow.records(command);
    }

    /** Wakes waiters, then closes the connections. Idempotent. */
    @Override
    public void close() {
        waker.close();
        redis.close();
    }

    @Override
    public String toString() {
        return "RedisBroker[" + redis.where() + ", prefix " + keys.prefix() + "]";
    }

    /** Settings of a {@link RedisBroker}; every one has a default. Validated at {@link #build()}. */
    public static final class Builder {
        private final Endpoint endpoint;
        private String keyPrefix = DEFAULT_PREFIX;
        private boolean allowEviction;
        private Clock clock;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private ClientResources clientResources;
        private Path caCertificate;

        private Builder(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        /**
         * Prefix of every key (default {@value RedisBroker#DEFAULT_PREFIX}): several applications or
         * environments can share one Redis with different prefixes. No braces, no blanks.
         */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /**
         * Accept a server whose {@code maxmemory-policy} is not {@code noeviction}, or whose policy
         * cannot be read. Default false: such a server may evict task keys under memory pressure and
         * lose tasks silently, so the broker refuses to start.
         */
        public Builder allowEviction(boolean allowEviction) {
            this.allowEviction = allowEviction;
            return this;
        }

        /**
         * Test hook: take "now" from this clock (passed to every script) instead of the Redis server's
         * {@code TIME}. The conformance suite uses it to move time without waiting. Production leaves it
         * unset: due times and leases must follow one clock shared by all workers, the server's.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Bound on one Redis command before it fails as transient. Default 10 s. */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
            return this;
        }

        /**
         * How long {@link #build()} keeps trying (with backoff) to reach a Redis that is not up yet,
         * before it fails with a transient {@link BrokerException}. Default 10 s; zero tries once.
         */
        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = Objects.requireNonNull(startupTimeout, "startupTimeout");
            return this;
        }

        /**
         * Lettuce resources (event loops) to share between several brokers. The broker does not shut
         * them down; by default each broker has its own.
         */
        public Builder clientResources(ClientResources clientResources) {
            this.clientResources = Objects.requireNonNull(clientResources, "clientResources");
            return this;
        }

        /**
         * For {@code rediss://} (TLS): trust the CA certificates in this PEM file — a private CA, or a
         * server's self-signed certificate — instead of the JVM's default trust store. The server's
         * certificate must still name the host of the URL (host name verification stays on).
         *
         * @throws IllegalArgumentException naming {@code caCertificate} when the file cannot be read
         */
        public Builder caCertificate(Path pemFile) {
            Objects.requireNonNull(pemFile, "caCertificate");
            if (!Files.isReadable(pemFile)) {
                throw new IllegalArgumentException("caCertificate: cannot read the PEM file " + pemFile);
            }
            this.caCertificate = pemFile;
            return this;
        }

        /**
         * Connects and checks the server's eviction policy.
         *
         * @throws IllegalArgumentException for invalid settings
         * @throws BrokerException          when Redis cannot be reached in time (transient), or its
         *                                  {@code maxmemory-policy} is unsafe (not transient)
         */
        public RedisBroker build() {
            Keys keys = new Keys(keyPrefix);
            if (!commandTimeout.isPositive()) {
                throw new IllegalArgumentException("commandTimeout must be positive, got " + commandTimeout);
            }
            if (startupTimeout.isNegative()) {
                throw new IllegalArgumentException("startupTimeout must not be negative, got " + startupTimeout);
            }
            RedisConnection redis = RedisConnection.open(endpoint, commandTimeout, startupTimeout, clientResources,
                    caCertificate);
            try {
                checkEvictionPolicy(redis);
            } catch (RuntimeException e) {
                redis.close();
                throw e;
            }
            return new RedisBroker(redis, keys, clock);
        }

        private void checkEvictionPolicy(RedisConnection redis) {
            if (allowEviction) {
                return;
            }
            List<String> policies;
            try {
                policies = redis.maxmemoryPolicies();
            } catch (BrokerException e) {
                if (e.isTransient()) {
                    throw e;
                }
                throw new BrokerException("cannot read maxmemory-policy of Redis at " + redis.where() + " (" + e.getMessage()
                        + "). Ferry needs maxmemory-policy noeviction so Redis never drops tasks; if you know the"
                        + " server is configured so, set the allowEviction option to true.", false, e);
            }
            for (String policy : policies) {
                if (!policy.equals("noeviction")) {
                    throw new BrokerException("Redis at " + redis.where() + " has maxmemory-policy " + policy
                            + ": under memory pressure it may evict Ferry's keys and lose tasks. Set maxmemory-policy"
                            + " noeviction on the server (CONFIG SET maxmemory-policy noeviction), or accept the risk"
                            + " with the allowEviction option set to true.", false);
                }
            }
        }
    }
}
