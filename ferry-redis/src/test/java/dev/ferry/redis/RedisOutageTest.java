package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.BrokerException;
import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis that goes away mid-run: the server (started by this test, {@code appendfsync always} so
 * an acknowledged write is on disk) is SIGKILLed while a worker drains a queue and restarted on the
 * same port. Calls fail as transient meanwhile, the worker backs off without dying, reconnects by
 * itself, and every task enqueued before and after the outage completes.
 */
class RedisOutageTest {
    @TempDir
    Path dir;

    public record Job(int n) {
    }

    @Test
    @Timeout(120)
    void workersBackOffDuringAnOutageAndResumeWithNoTaskLost() {
        try (RedisServer server = RedisServer.start(dir, "--appendonly", "yes", "--appendfsync", "always");
                Ferry ferry = Ferry.builder().broker(RedisBroker.builder(server.url())
                        .commandTimeout(Duration.ofSeconds(2)).build()).build()) {
            Set<Integer> done = ConcurrentHashMap.newKeySet();
            Worker worker = ferry.worker().concurrency(4).lease(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                    .handle("outage.job", Job.class, (job, ctx) -> {
                        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // simulated work, not a wait for an outcome
                        done.add(job.n());
                        return null;
                    }).start();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                ids.add(enqueue(ferry, i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> done.size() >= 20);

            server.kill();
            assertThatThrownBy(() -> enqueue(ferry, -1))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.isTransient()).isTrue());
            assertThat(worker.isRunning()).as("the worker survives the outage").isTrue();

            server.start();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                ids.add(enqueue(ferry, 1000));
                return true;
            });
            for (int i = 1001; i < 1050; i++) {
                ids.add(enqueue(ferry, i));
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> ids.stream().allMatch(id ->
                    ferry.inspector().task(id).orElseThrow().state() == TaskState.COMPLETED));
            assertThat(worker.isRunning()).isTrue();
            assertThat(ferry.inspector().queue("default").count(TaskState.ACTIVE)).isZero();
            assertThat(ferry.inspector().queue("default").count(TaskState.PENDING)).isZero();
        }
    }

    private static String enqueue(Ferry ferry, int n) {
        EnqueueResult r = ferry.client().enqueue(Task.of("outage.job", new Job(n)));
        return r.id();
    }
}
