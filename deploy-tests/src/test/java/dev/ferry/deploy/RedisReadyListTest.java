package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.redis.RedisBroker;
import dev.ferry.spi.ClaimRequest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The redis scaler's {@code listName} in deploy/overlays/redis is the key Ferry maintains: on the
 * real Redis (127.0.0.1:6379, a key prefix of its own), LLEN of that key is the queue's ready count.
 */
class RedisReadyListTest {
    static final String REDIS = "redis://127.0.0.1:6379";
    static String prefix;
    static RedisBroker broker;
    static Ferry ferry;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void open() {
        prefix = "deploytest" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        broker = RedisBroker.builder(REDIS).keyPrefix(prefix).build();
        ferry = Ferry.builder().broker(broker).build();
        client = RedisClient.create(REDIS);
        connection = client.connect();
    }

    @AfterAll
    static void close() {
        if (ferry != null) {
            ferry.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (connection != null) {
            RedisCommands<String, String> redis = connection.sync();
            for (String pattern : List.of(prefix + ":*", "{" + prefix + "}:*")) {
                List<String> keys = new ArrayList<>();
                var cursor = redis.scan(ScanArgs.Builder.matches(pattern).limit(1000));
                keys.addAll(cursor.getKeys());
                while (!cursor.isFinished()) {
                    cursor = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                    keys.addAll(cursor.getKeys());
                }
                if (!keys.isEmpty()) {
                    redis.del(keys.stream().distinct().toArray(String[]::new));
                }
            }
            connection.close();
        }
        if (client != null) {
            client.shutdown();
        }
    }

    /** The overlay's listName for the queue, with this test's key prefix instead of the default. */
    static String listName(String queue) {
        for (ObjectNode so : OverlaysTest.of(Repo.render("redis"), Set.of("ScaledObject"))) {
            for (JsonNode t : so.path("spec").path("triggers")) {
                String name = t.path("metadata").path("listName").asString("");
                if (name.equals(RedisBroker.DEFAULT_PREFIX + ":{" + queue + "}:ready")) {
                    return prefix + name.substring(RedisBroker.DEFAULT_PREFIX.length());
                }
            }
        }
        throw new AssertionError("deploy/overlays/redis has no trigger on the ready list of queue " + queue);
    }

    @Test
    void theListNameIsTheReadyListFerryMaintains() {
        String key = listName("default");
        assertThat(broker.readyKey("default")).as("RedisBroker.readyKey names the same key").isEqualTo(key);

        ferry.client().enqueueAll(List.of(
                Task.ofJson("deploy.test", "{}").queue("default"),
                Task.ofJson("deploy.test", "{}").queue("default"),
                Task.ofJson("deploy.test", "{}").queue("default"),
                Task.ofJson("deploy.test", "{}").queue("default").delay(Duration.ofHours(1)),
                Task.ofJson("deploy.test", "{}").queue("low")));
        RedisCommands<String, String> redis = connection.sync();
        assertThat(redis.type(key)).as("KEDA's redis scaler runs LLEN: the key must be a list").isEqualTo("list");
        assertThat(redis.llen(key)).as("three ready tasks; the delayed one is not ready").isEqualTo(3);

        assertThat(broker.claim(new ClaimRequest("deploy-test", List.of("default"), 1, Duration.ofMinutes(5))).tasks()).hasSize(1);
        assertThat(redis.llen(key)).as("a claimed task is no longer ready").isEqualTo(2);
        assertThat(redis.llen(listName("low"))).isEqualTo(1);
        assertThat(redis.llen(listName("critical"))).isZero();
    }
}
