package dev.ferry.redis.internal;

import dev.ferry.BrokerException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one place that talks Lettuce: opens the client (standalone, Sentinel or Cluster), runs scripts
 * by SHA with the NOSCRIPT fallback, waits for replies with a bound and translates failures.
 *
 * <p>While a standalone connection is down, commands are rejected at once rather than buffered
 * ({@code DisconnectedBehavior.REJECT_COMMANDS}): callers get a transient {@link BrokerException}
 * and back off (the worker runtime does), and Lettuce reconnects in the background by itself. On a
 * cluster, commands wait for their node's connection, bounded by the command timeout.
 */
public final class RedisConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ferry.redis");

    private final Endpoint endpoint;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> async;
    private final Duration timeout;
    private final boolean ownsResources;
    private volatile boolean closed;

    private RedisConnection(Endpoint endpoint, AbstractRedisClient client, StatefulConnection<String, String> connection,
            RedisClusterAsyncCommands<String, String> async, Duration timeout, boolean ownsResources) {
        this.endpoint = endpoint;
        this.client = client;
        this.connection = connection;
        this.async = async;
        this.timeout = timeout;
        this.ownsResources = ownsResources;
    }

    /**
     * Connects, retrying with backoff (100 ms doubling to 2 s) until {@code startupTimeout} has passed.
     *
     * @throws BrokerException (transient) naming the server when it cannot be reached in time
     */
    public static RedisConnection open(Endpoint endpoint, Duration commandTimeout, Duration startupTimeout,
            ClientResources resources, Path caCertificate) {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        long pause = 100;
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                return connect(endpoint, commandTimeout, resources, caCertificate);
            } catch (RuntimeException e) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new BrokerException("cannot connect to Redis at " + endpoint.display() + " (" + attempts
                            + (attempts == 1 ? " attempt" : " attempts") + " over " + startupTimeout.toMillis()
                            + " ms): " + rootMessage(e) + ". Is the server running and the URL right? The startupTimeout"
                            + " option sets how long to wait for it at start.", true, e);
                }
                LOG.log(System.Logger.Level.WARNING, "Redis at " + endpoint.display() + " not reachable yet ("
                        + rootMessage(e) + "); retrying in " + pause + " ms");
                try {
                    Thread.sleep(Math.min(pause, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new BrokerException("interrupted while connecting to Redis at " + endpoint.display(), true, ie);
                }
                pause = Math.min(pause * 2, 2000);
            }
        }
    }

    private static RedisConnection connect(Endpoint endpoint, Duration timeout, ClientResources resources,
            Path caCertificate) {
        TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
        SslOptions ssl = caCertificate == null
                ? SslOptions.create()
                : SslOptions.builder().jdkSslProvider().trustManager(caCertificate.toFile()).build();
        if (endpoint.cluster()) {
            RedisClusterClient client = resources == null
                    ? RedisClusterClient.create(endpoint.uris())
                    : RedisClusterClient.create(resources, endpoint.uris());
            // Not REJECT_COMMANDS here: Lettuce opens node connections lazily, and a command routed to a
            // node whose connection is still being opened would be rejected. Commands wait (bounded by
            // the command timeout) instead.
            client.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .timeoutOptions(timeouts)
                    .sslOptions(ssl)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .build());
            try {
                StatefulRedisClusterConnection<String, String> c = client.connect(StringCodec.UTF8);
                c.setTimeout(timeout);
                return new RedisConnection(endpoint, client, c, c.async(), timeout, resources == null);
            } catch (RuntimeException e) {
                shutdown(client, resources == null);
                throw e;
            }
        }
        RedisClient client = resources == null ? RedisClient.create() : RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(timeouts)
                .sslOptions(ssl)
                .build());
        try {
            StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8, endpoint.uris().get(0));
            c.setTimeout(timeout);
            return new RedisConnection(endpoint, client, c, c.async(), timeout, resources == null);
        } catch (RuntimeException e) {
            shutdown(client, resources == null);
            throw e;
        }
    }

    /** A new pub/sub connection on the same client (its subscriptions are restored after a reconnect). */
    public StatefulRedisPubSubConnection<String, String> connectPubSub() {
        if (client instanceof RedisClusterClient c) {
            return c.connectPubSub(StringCodec.UTF8);
        }
        return ((RedisClient) client).connectPubSub(StringCodec.UTF8, endpoint.uris().get(0));
    }

    public boolean cluster() {
        return endpoint.cluster();
    }

    public String where() {
        return endpoint.display();
    }

    /** The async commands, common to standalone and cluster connections. */
    public RedisClusterAsyncCommands<String, String> commands() {
        return async;
    }

    /** Runs a script by SHA; on NOSCRIPT, sends its text once (which caches it on that server again). */
    public <T> CompletableFuture<T> eval(Script script, List<String> keys, List<String> args) {
        checkOpen();
        String[] k = keys.toArray(String[]::new);
        String[] a = args.toArray(String[]::new);
        CompletableFuture<T> bySha = async.<T>evalsha(script.sha(), script.output(), k, a).toCompletableFuture();
        return bySha.exceptionallyCompose(e -> {
            if (Errors.isNoScript(e)) {
                return async.<T>eval(script.text(), script.output(), k, a).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(Errors.unwrap(e));
        });
    }

    /** Runs a script and waits for its reply. */
    public <T> T call(Script script, List<String> keys, List<String> args) {
        return await(eval(script, keys, args), script.file());
    }

    /** Waits for a reply, bounded by the command timeout; failures become {@link BrokerException}. */
    public <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw Errors.translate(e.getCause(), what, where());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new BrokerException("Redis at " + where() + " did not answer " + what + " within " + timeout.toMillis()
                    + " ms", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new BrokerException("interrupted while waiting for Redis (" + what + ")", true, e);
        }
    }

    /** Waits for a plain command's reply. */
    public <T> T await(RedisFuture<T> future, String what) {
        checkOpen();
        return await(future.toCompletableFuture(), what);
    }

    /** Waits for all replies, in order. */
    public <T> List<T> awaitAll(List<CompletableFuture<T>> futures, String what) {
        List<T> out = new ArrayList<>(futures.size());
        for (CompletableFuture<T> f : futures) {
            out.add(await(f, what));
        }
        return out;
    }

    /**
     * The {@code maxmemory_policy} of every master, read with {@code INFO memory} (allowed where
     * {@code CONFIG} is disabled, as on several managed services).
     */
    public List<String> maxmemoryPolicies() {
        List<String> infos = new ArrayList<>();
        if (connection instanceof StatefulRedisClusterConnection<String, String> c) {
            for (RedisClusterNode node : c.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                    infos.add(await(c.getConnection(node.getNodeId()).async().info("memory"), "INFO memory"));
                }
            }
        } else {
            infos.add(await(async.info("memory"), "INFO memory"));
        }
        List<String> policies = new ArrayList<>();
        for (String info : infos) {
            String policy = "unknown";
            for (String line : info.split("\r?\n")) {
                if (line.startsWith("maxmemory_policy:")) {
                    policy = line.substring("maxmemory_policy:".length()).trim();
                }
            }
            policies.add(policy);
        }
        return policies;
    }

    private void checkOpen() {
        if (closed) {
            throw new BrokerException("the Redis broker for " + where() + " is closed", false);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.close();
        } finally {
            shutdown(client, ownsResources);
        }
    }

    private static void shutdown(AbstractRedisClient client, boolean ownsResources) {
        if (ownsResources) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } else {
            client.shutdown(Duration.ZERO, Duration.ZERO);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return e == t || e.getMessage() == null ? m : e.getMessage() + " (" + m + ")";
    }
}
