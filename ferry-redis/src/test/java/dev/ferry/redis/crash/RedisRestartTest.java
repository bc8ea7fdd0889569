package dev.ferry.redis.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.testing.crash.CrashHarness;
import dev.ferry.testing.crash.CrashWorkerMain;
import dev.ferry.testing.crash.Ledger;
import dev.ferry.testing.crash.WorkerProcess;
import dev.ferry.QueueStats;
import dev.ferry.Task;
import dev.ferry.TaskState;
import dev.ferry.redis.RedisServer;
import dev.ferry.redis.RedisTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis restart mid-run: the test starts its own {@code redis-server} with {@code appendonly yes}
 * and {@code appendfsync everysec}, two worker JVMs drain a queue while the test keeps enqueueing,
 * then the server is SIGKILLed and restarted on the same port and directory (it reloads its AOF).
 *
 * <p>With {@code everysec}, Redis may lose the writes of the last second before the crash. So:
 * every task whose enqueue was acknowledged more than a second before the kill completes; nothing
 * is left active or pending at the end (tasks whose completion was lost run again after their
 * lease); and the worker processes, never restarted, reconnect by themselves and go on working.
 */
class RedisRestartTest {
    /** Beyond appendfsync everysec's second: scheduling slack on a busy machine. */
    private static final Duration DURABLE_AFTER = Duration.ofMillis(1500);

    @TempDir
    Path dir;

    private CrashHarness harness;
    private RedisServer server;

    @AfterEach
    void cleanUp() {
        if (harness != null) {
            harness.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private record Batch(List<String> ids, long ackedAtNanos) {
    }

    @Test
    @Timeout(150)
    void tasksAcknowledgedBeforeTheLastSecondSurviveAndWorkersReconnectByThemselves() throws Exception {
        server = RedisServer.start(dir.resolve("redis"), "--appendonly", "yes", "--appendfsync", "everysec");
        harness = new CrashHarness(dir, server.url() + "?keyPrefix=" + RedisTestSupport.newPrefix()
                + "&commandTimeout=2s&startupTimeout=30s");
        try (Ferry ferry = Ferry.open(harness.url())) {
            String[] settings = {"concurrency=4", "prefetch=2", "leaseMs=3000", "graceMs=2000", "pollMs=50",
                    "maxLeaseExpirations=100"};
            WorkerProcess a = harness.startWorker(settings);
            WorkerProcess b = harness.startWorker(settings);
            harness.awaitReady(a);
            harness.awaitReady(b);

            List<Batch> batches = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread enqueuer = Thread.ofPlatform().name("restart-enqueuer").start(() -> {
                Random rnd = new Random(11);
                int seq = 0;
                while (!stop.get()) {
                    List<Task> tasks = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        tasks.add(Task.of(CrashWorkerMain.TYPE, new CrashWorkerMain.Work(seq++, 2 + rnd.nextInt(9)))
                                .queue(CrashHarness.QUEUE).maxAttempts(50));
                    }
                    try {
                        List<String> ids = ferry.client().enqueueAll(tasks).stream().map(EnqueueResult::id).toList();
                        batches.add(new Batch(ids, System.nanoTime()));
                    } catch (RuntimeException e) {
                        return; // the server went away: the test stops enqueueing here
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // pace: about 2,000 tasks/s
                }
            });

            // Kill once enqueueing has run for seconds (most tasks then lie beyond the last second) and
            // the workers are mid-run with a backlog.
            harness.await("workers are busy mid-run", Duration.ofSeconds(60),
                    () -> Ledger.countLines(harness.ledgerDir()) >= 800 && batches.size() * 25 >= 6000
                            // enqueueing for at least 4 s, so most acknowledged tasks lie before the last 1.5 s
                            // however fast this machine enqueues
                            && System.nanoTime() - batches.get(0).ackedAtNanos() >= Duration.ofSeconds(4).toNanos());
            long killedAt = System.nanoTime();
            server.kill();
            stop.set(true);
            enqueuer.join(10_000);
            long linesAtKill = Ledger.countLines(harness.ledgerDir());

            server.start(); // same port, same directory: it loads its append-only file
            List<String> durable = new ArrayList<>();
            int enqueued = 0;
            for (Batch batch : batches) {
                enqueued += batch.ids().size();
                if (batch.ackedAtNanos() < killedAt - DURABLE_AFTER.toNanos()) {
                    durable.addAll(batch.ids());
                }
            }
            assertThat(durable.size()).as("tasks acknowledged more than %s before the kill", DURABLE_AFTER)
                    .isGreaterThan(enqueued / 2);

            harness.await("every durable task completed and nothing is left active or waiting", Duration.ofSeconds(90),
                    () -> {
                        try {
                            QueueStats s = ferry.inspector().queue(CrashHarness.QUEUE);
                            return s.count(TaskState.ACTIVE) == 0 && s.count(TaskState.PENDING) == 0
                                    && s.count(TaskState.RETRYING) == 0 && s.count(TaskState.SCHEDULED) == 0
                                    && CrashHarness.tasks(ferry.inspector(), TaskState.COMPLETED).keySet().containsAll(durable);
                        } catch (RuntimeException e) {
                            return false; // the test's own connection is still reconnecting
                        }
                    }, () -> CrashHarness.stats(ferry.inspector()));

            Map<String, dev.ferry.TaskInfo> completed = CrashHarness.tasks(ferry.inspector(), TaskState.COMPLETED);
            QueueStats s = ferry.inspector().queue(CrashHarness.QUEUE);
            assertThat(s.count(TaskState.DEAD)).as("no task went dead").isZero();
            assertThat(completed.keySet()).containsAll(durable);
            for (WorkerProcess w : List.of(a, b)) {
                assertThat(w.isAlive()).as("worker %s survived the Redis restart\n%s", w.pid(), harness.describe()).isTrue();
            }
            assertThat(Ledger.countLines(harness.ledgerDir())).as("the same worker processes went on working after the"
                    + " restart").isGreaterThan(linesAtKill);
            System.out.printf("RedisRestartTest: enqueued %d, durable %d, completed %d, ledger %d lines (%d at the kill)%n",
                    enqueued, durable.size(), completed.size(), Ledger.countLines(harness.ledgerDir()), linesAtKill);

            for (WorkerProcess w : List.of(a, b)) {
                w.terminate();
            }
            for (WorkerProcess w : List.of(a, b)) {
                assertThat(w.waitFor(Duration.ofSeconds(15))).as("worker %s exits after SIGTERM\n%s", w.pid(),
                        harness.describe()).isTrue();
                assertThat(w.exitValue()).as("worker %s exit status\n%s", w.pid(), harness.describe()).isZero();
            }
        }
    }
}
