package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Task;
import dev.ferry.TaskState;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.testing.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Redis layout of fair claim order adds to {@code BrokerContract.Fairness}: the pending
 * score of a tenanted task is its fair position, not its run-at, and the stats and listings still
 * show run-ats; the per-queue hash of tenants' last positions ({@code P:{Q}:fair}) is written by
 * tenanted enqueues only and does not grow with tenants that have nothing pending any more.
 */
class RedisFairOrderTest {
    private static final String QUEUE = "imports";

    private final ManualClock clock = new ManualClock();
    private String prefix;
    private RedisBroker broker;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void redisIsUp() {
        RedisTestSupport.requireRedis();
    }

    @BeforeEach
    void open() {
        prefix = RedisTestSupport.newPrefix();
        broker = RedisTestSupport.builder(prefix).clock(clock).build();
        client = RedisClient.create(RedisTestSupport.RESOURCES);
        connection = client.connect(RedisURI.create(RedisTestSupport.URL));
    }

    @AfterEach
    void close() {
        broker.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ZERO);
        RedisTestSupport.deletePrefix(RedisTestSupport.URL, prefix);
    }

    @Test
    void theOldestPendingRunAtIsReadFromTheTasksNotFromFairPositions() {
        Instant start = clock.instant();
        enqueue("heavy", 5); // positions start .. start + 4 ms, all with run-at start
        clock.advance(Duration.ofSeconds(10));
        claim(3);
        enqueue("light", 1); // joins the head of the band: position start + 3 ms, run-at start + 10 s

        Instant oldest = broker.stats(List.of(QUEUE)).getFirst().oldestPendingAt();

        assertThat(oldest).isEqualTo(start); // the pending scores alone would say start + 3 ms
        assertThat(broker.list(new ListRequest(QUEUE, TaskState.PENDING, 0, 10)).tasks())
                .extracting(t -> t.runAt().toEpochMilli())
                .containsExactly(start.toEpochMilli(), start.plusSeconds(10).toEpochMilli(), start.toEpochMilli());
    }

    @Test
    void tasksWithoutATenantLeaveNoFairState() {
        broker.enqueue(new EnqueueRequest(List.of(task("none", null), task("none", null))));

        assertThat(redis().exists(fairKey())).isZero();
        assertThat(broker.stats(List.of(QUEUE)).getFirst().oldestPendingAt()).isEqualTo(clock.instant());
    }

    @Test
    void theFairHashDropsTenantsThatHaveNothingPending() {
        for (int i = 0; i < 300; i++) {
            enqueue("tenant-" + i, 1);
            claim(1); // the tenant's entry is stale from here on
        }
        enqueue("last", 2);

        // Each new tenant samples two fields and drops the stale ones: a few stale entries at most.
        assertThat(redis().hlen(fairKey())).isLessThanOrEqualTo(10);
        assertThat(redis().hget(fairKey(), "50|last")).isNotNull();
    }

    private void enqueue(String tenant, int n) {
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(task(tenant, tenant));
        }
        broker.enqueue(new EnqueueRequest(tasks));
    }

    private List<ClaimedTask> claim(int n) {
        List<ClaimedTask> got = broker.claim(new ClaimRequest("w", List.of(QUEUE), n, Duration.ofMinutes(1))).tasks();
        assertThat(got).hasSize(n);
        return got;
    }

    private static NewTask task(String idPrefix, String tenant) {
        return new NewTask(idPrefix + "~" + UUID.randomUUID(), QUEUE, "row.import", "{}", 50, Duration.ZERO, null, 3,
                Duration.ofMinutes(1), null, null, Duration.ofHours(1), Duration.ofDays(7),
                tenant == null ? Map.of() : Map.of(Task.TENANT_HEADER, tenant));
    }

    private String fairKey() {
        return prefix + ":{" + QUEUE + "}:fair";
    }

    private RedisCommands<String, String> redis() {
        return connection.sync();
    }
}
