package dev.ferry.testing.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.QueueStats;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM drain: a worker JVM that gets SIGTERM mid-run (its shutdown hook closes the worker)
 * stops claiming, lets running tasks finish within its grace period, releases the rest and exits
 * with status 0. Nothing is lost (the other worker and a replacement finish everything), nothing
 * runs twice (one ledger line per task) and a released task's attempt is not counted (every task
 * completes at attempt 1, with no lease expiry and no error).
 *
 * <p>Tasks work 100–600 ms and the grace period is 200 ms, so the terminated worker both finishes
 * some tasks during the grace period and releases others (running ones it interrupts and
 * prefetched ones that never started); the test checks that releases did happen.
 */
public abstract class SigtermDrainContract {
    /** The URL of a fresh, empty store for this test; {@code dir} is the test's temp directory. */
    protected abstract String brokerUrl(Path dir);

    private static final int TASKS = 140;
    private static final int CONCURRENCY = 6;
    private static final int PREFETCH = 4;
    private static final int GRACE_MS = 200;
    /** Beyond the grace period: the JVM's own shutdown, the release and broker close calls. */
    private static final Duration EXIT_SLACK = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private CrashHarness harness;

    @AfterEach
    void killChildren() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    @Timeout(90)
    void terminatedWorkerDrainsReleasesAndExitsZeroWithNothingLostOrRunTwice() throws Exception {
        long t0 = System.nanoTime();
        harness = new CrashHarness(dir, brokerUrl(dir));
        try (Ferry ferry = Ferry.open(harness.url())) {
            Random rnd = new Random(7);
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                tasks.add(Task.of(CrashWorkerMain.TYPE, new CrashWorkerMain.Work(i, 100 + rnd.nextInt(501)))
                        .queue(CrashHarness.QUEUE));
            }
            List<String> ids = new ArrayList<>();
            for (EnqueueResult r : ferry.client().enqueueAll(tasks)) {
                assertThat(r.created()).isTrue();
                ids.add(r.id());
            }

            String[] settings = {"concurrency=" + CONCURRENCY, "prefetch=" + PREFETCH, "leaseMs=2000",
                    "graceMs=" + GRACE_MS, "pollMs=50"};
            WorkerProcess a = harness.startWorker(settings);
            WorkerProcess b = harness.startWorker(settings);
            harness.awaitReady(a);
            harness.awaitReady(b);

            // Terminate A while it holds running and prefetched tasks.
            harness.await("worker " + a.pid() + " is busy (has finished tasks and holds > concurrency leases)",
                    Duration.ofSeconds(30),
                    () -> Ledger.countLines(harness.ledgerDir, a.pid()) >= 5
                            && activeLeasesOf(ferry, a) > CONCURRENCY,
                    () -> CrashHarness.stats(ferry.inspector()));
            long tTerm = System.nanoTime();
            a.terminate();
            harness.await("worker " + a.pid() + " exits after SIGTERM", Duration.ofMillis(GRACE_MS).plus(EXIT_SLACK),
                    () -> !a.isAlive());
            long exitMillis = (System.nanoTime() - tTerm) / 1_000_000;
            assertThat(a.waitFor(Duration.ofSeconds(5))).isTrue();
            assertThat(a.exitValue()).as("exit status after SIGTERM\n%s", harness.describe()).isZero();
            assertThat(a.lines("CLOSED")).as("the shutdown hook closed the worker\n%s", harness.describe()).isNotEmpty();
            assertThat(activeLeasesOf(ferry, a)).as("leases still held by the terminated worker (should have been"
                    + " acked or released, not left to expire)\n%s", harness.describe()).isZero();
            List<String> released = a.lines("RELEASED").stream().map(l -> l.split(" ")[1]).toList();
            assertThat(released).as("the terminated worker released tasks (else this test proves nothing about"
                    + " releases)\n%s", harness.describe()).isNotEmpty();

            WorkerProcess c = harness.startWorker(settings);
            harness.awaitReady(c);
            harness.await("all " + TASKS + " tasks COMPLETED", Duration.ofSeconds(40),
                    () -> ferry.inspector().queue(CrashHarness.QUEUE).count(TaskState.COMPLETED) >= TASKS,
                    () -> CrashHarness.stats(ferry.inspector()));
            for (WorkerProcess w : List.of(b, c)) {
                w.terminate();
            }
            for (WorkerProcess w : List.of(b, c)) {
                assertThat(w.waitFor(Duration.ofSeconds(15))).as("worker %s exits\n%s", w.pid(), harness.describe()).isTrue();
                assertThat(w.exitValue()).as("worker %s exit status\n%s", w.pid(), harness.describe()).isZero();
            }

            String context = harness.describe();
            for (WorkerProcess w : harness.workers) {
                assertThat(w.lines("LEASE_LOST")).as("worker %s lost leases while alive\n%s", w.pid(), context).isEmpty();
            }
            QueueStats stats = ferry.inspector().queue(CrashHarness.QUEUE);
            assertThat(stats.count(TaskState.COMPLETED)).isEqualTo(TASKS);
            assertThat(stats.processedTotal()).isEqualTo(TASKS);
            assertThat(stats.failedTotal()).as("no attempt failed or expired; %s\n%s", CrashHarness.stats(ferry.inspector()),
                    context).isZero();
            Map<String, TaskInfo> infos = CrashHarness.tasks(ferry.inspector(), TaskState.COMPLETED);
            assertThat(infos.keySet()).isEqualTo(new java.util.HashSet<>(ids));

            Ledger ledger = Ledger.read(harness.ledgerDir);
            assertThat(ledger.torn()).isEmpty();
            Map<String, List<Ledger.Entry>> byTask = ledger.byTask();
            List<String> violations = new ArrayList<>();
            for (String id : ids) {
                TaskInfo info = infos.get(id);
                List<Ledger.Entry> runs = byTask.getOrDefault(id, List.of());
                String what = id + " runs=" + runs + " attempt=" + info.attempt() + " leaseExpirations="
                        + info.leaseExpirations() + " errors=" + info.errors() + (released.contains(id) ? " (released)" : "");
                if (runs.size() != 1) {
                    violations.add("ran " + runs.size() + " times: " + what);
                }
                if (info.attempt() != 1 || runs.stream().anyMatch(r -> r.attempt() != 1)) {
                    violations.add("attempt counted more than once: " + what);
                }
                if (info.leaseExpirations() != 0 || !info.errors().isEmpty()) {
                    violations.add("lease expired or failed: " + what);
                }
            }
            assertThat(violations).as("violations (released by %s: %s)\n%s", a.pid(), released, context).isEmpty();
            for (String id : released) {
                assertThat(byTask.get(id)).as("released task %s was completed by another worker", id)
                        .allMatch(r -> r.pid() != a.pid());
            }
            System.out.printf("SigtermDrainTest: released %d tasks, SIGTERM->exit %d ms (grace %d ms), total %d ms%n",
                    released.size(), exitMillis, GRACE_MS, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static long activeLeasesOf(Ferry ferry, WorkerProcess w) {
        return CrashHarness.tasks(ferry.inspector(), TaskState.ACTIVE).values().stream()
                .filter(t -> w.workerId().equals(t.workerId()))
                .count();
    }
}
