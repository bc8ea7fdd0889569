package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.RecordCommand;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flow-control state cleans up after itself on the server's clock: a bucket's key expires when the
 * bucket would be full again and a semaphore's with its last holder, so idle limits leave nothing
 * behind without any pruning; records stay. Each lives in one key with a hash tag of its own.
 */
class RedisPermitKeysTest {
    private String prefix;
    private RedisBroker broker;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeAll
    static void redisIsUp() {
        RedisTestSupport.requireRedis();
    }

    @BeforeEach
    void open() {
        prefix = RedisTestSupport.newPrefix();
        broker = RedisTestSupport.builder(prefix).build(); // server time: Redis's own expiry applies
        client = RedisClient.create(RedisTestSupport.RESOURCES);
        connection = client.connect(RedisURI.create(RedisTestSupport.URL));
        redis = connection.sync();
    }

    @AfterEach
    void close() {
        broker.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ZERO);
        RedisTestSupport.deletePrefix(RedisTestSupport.URL, prefix);
    }

    @Test
    void aBucketKeyLivesUntilTheBucketWouldBeFullAgain() {
        String key = prefix + ":b:{api}";
        // 1 token per 30 s, burst 2: after two takes the bucket is full again in 60 s.
        PermitOp take = new PermitOp.Take("api", 1, Duration.ofSeconds(30), 2);
        assertThat(broker.permits(new PermitRequest(List.of(take, take))).results()).allMatch(r -> r.granted());

        assertThat(redis.pttl(key)).as("expires at fullAt, not after one token").isBetween(30_001L, 60_000L);
    }

    @Test
    void anIdleBucketGoesAwayByItself() {
        String key = prefix + ":b:{burst}";
        PermitOp take = new PermitOp.Take("burst", 1, Duration.ofMillis(100), 3);
        broker.permits(new PermitRequest(List.of(take, take, take)));

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> redis.exists(key) == 0);
        assertThat(broker.permits(new PermitRequest(List.of(take))).results().get(0).granted()).as("full again").isTrue();
    }

    @Test
    void aSemaphoreKeyLivesAsLongAsItsLastHolder() {
        String key = prefix + ":s:{mutex}";
        broker.permits(new PermitRequest(List.of(
                new PermitOp.Acquire("mutex", 2, "t1", Duration.ofSeconds(1)),
                new PermitOp.Acquire("mutex", 2, "t2", Duration.ofSeconds(60)))));

        assertThat(redis.zcard(key)).isEqualTo(2);
        assertThat(redis.pttl(key)).as("the last holder's expiry").isBetween(1_001L, 60_000L);
    }

    @Test
    void anAbandonedSemaphoreGoesAwayByItself() {
        String key = prefix + ":s:{lost}";
        broker.permits(new PermitRequest(List.of(new PermitOp.Acquire("lost", 1, "t1", Duration.ofMillis(100)))));

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> redis.exists(key) == 0);
    }

    @Test
    void recordsHaveNoExpiry() {
        broker.records(new RecordCommand.Put("cron", "nightly", "{}", false));

        assertThat(redis.pttl(prefix + ":r:{cron}")).as("no TTL").isEqualTo(-1);
    }
}
