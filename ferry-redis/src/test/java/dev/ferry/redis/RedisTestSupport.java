package dev.ferry.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared Redis of the tests (127.0.0.1:6379, or {@code FERRY_REDIS_URL}) and helpers to isolate
 * tests by key prefix. Under {@code CI=true} an unreachable Redis fails the tests loudly; elsewhere
 * they are skipped with the reason.
 */
public final class RedisTestSupport {
    public static final String URL = System.getenv().getOrDefault("FERRY_REDIS_URL", "redis://127.0.0.1:6379");
    /** Event loops shared by every broker of the test JVM: making them per test is slow. */
    public static final ClientResources RESOURCES = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();

    private RedisTestSupport() {
    }

    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails (in CI) or skips (elsewhere) when the shared Redis does not answer. */
    public static void requireRedis() {
        String problem = null;
        RedisClient client = RedisClient.create(RESOURCES);
        try (StatefulRedisConnection<String, String> c = client.connect(RedisURI.create(URL))) {
            c.sync().ping();
        } catch (RuntimeException e) {
            problem = "Redis at " + URL + " is not reachable: " + e.getMessage()
                    + " (start it: redis-server --daemonize yes --port 6379 --save \"\" --appendonly no)";
        } finally {
            client.shutdown(Duration.ZERO, Duration.ZERO);
        }
        if (problem != null) {
            if (ci()) {
                throw new AssertionError(problem);
            }
            Assumptions.abort(problem);
        }
    }

    public static String newPrefix() {
        return "ft-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** A broker on the shared Redis under a fresh prefix. */
    static RedisBroker.Builder builder(String prefix) {
        return RedisBroker.builder(URL).keyPrefix(prefix).clientResources(RESOURCES);
    }

    /** Deletes every key of a prefix on a standalone server. */
    public static void deletePrefix(String url, String prefix) {
        RedisClient client = RedisClient.create(RESOURCES);
        try (StatefulRedisConnection<String, String> c = client.connect(RedisURI.create(url))) {
            RedisCommands<String, String> r = c.sync();
            for (String pattern : List.of(prefix + ":*", "{" + prefix + "}:*")) {
                List<String> keys = new ArrayList<>();
                ScanIterator.scan(r, ScanArgs.Builder.matches(pattern).limit(1000)).forEachRemaining(keys::add);
                for (int i = 0; i < keys.size(); i += 500) {
                    r.del(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
                }
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ZERO);
        }
    }

    /** Deletes every key of a prefix on every node of a cluster. */
    static void deleteClusterPrefix(List<RedisURI> seeds, String prefix) {
        RedisClusterClient client = RedisClusterClient.create(RESOURCES, seeds);
        try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
            RedisAdvancedClusterCommands<String, String> r = c.sync();
            for (String pattern : List.of(prefix + ":*", "{" + prefix + "}:*")) {
                List<String> keys = new ArrayList<>();
                ScanIterator.scan(r, ScanArgs.Builder.matches(pattern).limit(1000)).forEachRemaining(keys::add);
                for (String k : keys) {
                    r.del(k);
                }
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ZERO);
        }
    }

    /** How many keys a prefix has (to check that tests clean up and nothing grows). */
    public static long countKeys(String url, String prefix) {
        RedisClient client = RedisClient.create(RESOURCES);
        try (StatefulRedisConnection<String, String> c = client.connect(RedisURI.create(url))) {
            long n = 0;
            for (String pattern : List.of(prefix + ":*", "{" + prefix + "}:*")) {
                var it = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(pattern).limit(1000));
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
            }
            return n;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ZERO);
        }
    }
}
