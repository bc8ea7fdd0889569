package dev.ferry.testing.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.QueueStats;
import dev.ferry.Task;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL storm: two worker JVMs on one store; one of them is SIGKILLed mid-run, five
 * times, each time replaced by a fresh JVM. Afterwards every task completed, nothing is left
 * active or pending, and the only tasks whose handler ran more than once are tasks that a killed
 * process was holding.
 *
 * <h2>What "in flight at a kill" means here</h2>
 * The handler records its side effect (a ledger line {@code taskId attempt pid}) after its work
 * and before returning; the worker then acks. A task whose line a process wrote but whose ack
 * that process never committed was in flight at that process's kill: its lease expires, another
 * worker runs it again and writes a second line. So, for every task:
 * <ul>
 *   <li>its lines carry distinct attempt numbers and the highest is the stored attempt
 *       (the run that completed it wrote last);</li>
 *   <li>every line but the last was written by a SIGKILLed pid, and the task's errors record a
 *       lease expiry of that very worker;</li>
 *   <li>so a task run by surviving workers only ran exactly once;</li>
 *   <li>stored attempt = 1 + leaseExpirations (nothing else — no failure, no release — happens),
 *       and every lease expiry names a killed worker and was recorded after its kill; no worker
 *       reports LEASE_LOST: no lease of a live worker ever expired.</li>
 * </ul>
 * The lease is 2 s (renewed every 667 ms): short enough for quick recovery, long enough that a
 * busy 2-core machine does not starve a live worker's renewals. When a live worker does lose a
 * lease, the children's SLOW/STALL lines in the failure message tell which call or stall caused it.
 * Duplicates (extra lines) are at most concurrency + prefetch per kill (a worker holds no more
 * leases than that), so at most kills × (concurrency + prefetch) in all.
 */
public abstract class SigkillStormContract {
    /** The URL of a fresh, empty store for this test; {@code dir} is the test's temp directory. */
    protected abstract String brokerUrl(Path dir);

    private static final int TASKS = 5000;
    /**
     * A round lasts as long as a replacement JVM takes to start, while the survivor keeps working:
     * on a fast backend a round can drain a thousand tasks or more. Before each kill the queue is
     * topped up to at least this many pending tasks, so every kill hits a busy queue.
     */
    private static final int PENDING_AT_KILL = 1000;
    private static final int KILLS = 5;
    private static final int CONCURRENCY = 4;
    private static final int PREFETCH = 2;
    private static final int LEASE_MS = 2000;
    /** Lines a victim must have written since it started before it is killed: it is mid-run. */
    private static final int PROGRESS_BEFORE_KILL = 60;

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
    @Timeout(120)
    void everyTaskCompletesAndOnlyTasksHeldByAKilledWorkerRunTwice() throws Exception {
        long t0 = System.nanoTime();
        harness = new CrashHarness(dir, brokerUrl(dir));
        try (Ferry ferry = Ferry.open(harness.url())) {
            List<String> ids = new ArrayList<>();
            enqueue(ferry, ids, TASKS);

            String[] settings = {"concurrency=" + CONCURRENCY, "prefetch=" + PREFETCH, "leaseMs=" + LEASE_MS,
                    "graceMs=5000", "pollMs=50", "maxLeaseExpirations=100"};
            List<WorkerProcess> live = new ArrayList<>();
            live.add(harness.startWorker(settings));
            live.add(harness.startWorker(settings));
            for (WorkerProcess w : live) {
                harness.awaitReady(w);
            }
            long tReady = System.nanoTime();

            Map<Long, Instant> killed = new LinkedHashMap<>();
            Map<Long, Integer> activeAtKill = new LinkedHashMap<>();
            for (int round = 1; round <= KILLS; round++) {
                WorkerProcess victim = live.get(0); // the older of the two
                for (WorkerProcess w : live) {
                    harness.awaitReady(w);
                }
                harness.await("round " + round + ": worker " + victim.pid() + " has done " + PROGRESS_BEFORE_KILL
                                + " tasks", Duration.ofSeconds(30),
                        () -> Ledger.countLines(harness.ledgerDir, victim.pid()) >= PROGRESS_BEFORE_KILL,
                        () -> CrashHarness.stats(ferry.inspector()));
                int active = (int) CrashHarness.tasks(ferry.inspector(), TaskState.ACTIVE).values().stream()
                        .filter(t -> victim.workerId().equals(t.workerId())).count();
                long pendingBefore = ferry.inspector().queue(CrashHarness.QUEUE).count(TaskState.PENDING);
                if (pendingBefore < PENDING_AT_KILL) {
                    enqueue(ferry, ids, PENDING_AT_KILL);
                    pendingBefore = ferry.inspector().queue(CrashHarness.QUEUE).count(TaskState.PENDING);
                }
                Instant killedAt = Instant.now();
                victim.kill();
                System.out.printf("SigkillStormTest: round %d at %d ms: killed %d (%d lines, %d active leases), ledger %d lines, %d pending%n",
                        round, (System.nanoTime() - t0) / 1_000_000, victim.pid(), Ledger.countLines(harness.ledgerDir, victim.pid()),
                        active, Ledger.countLines(harness.ledgerDir), pendingBefore);
                assertThat(victim.exitValue()).as("SIGKILL exit status of %s", victim.pid()).isEqualTo(137);
                assertThat(pendingBefore).as("round %d: work was left when the worker was killed (else the storm"
                        + " hit an idle queue and proves nothing)", round).isGreaterThan(0);
                killed.put(victim.pid(), killedAt);
                activeAtKill.put(victim.pid(), active);
                live.remove(victim);
                live.add(harness.startWorker(settings));
            }
            long tLastKill = System.nanoTime();

            harness.await("all " + ids.size() + " tasks COMPLETED", Duration.ofSeconds(45),
                    () -> ferry.inspector().queue(CrashHarness.QUEUE).count(TaskState.COMPLETED) >= ids.size(),
                    () -> CrashHarness.stats(ferry.inspector()));
            long tDone = System.nanoTime();

            // Stop the survivors gracefully so no handler can still write a line after we read the ledger
            // (once READY: a JVM terminated before its shutdown hook is installed exits with 143).
            for (WorkerProcess w : live) {
                harness.awaitReady(w);
                w.terminate();
            }
            for (WorkerProcess w : live) {
                assertThat(w.waitFor(Duration.ofSeconds(15))).as("survivor %s exits after SIGTERM\n%s", w.pid(),
                        harness.describe()).isTrue();
                assertThat(w.exitValue()).as("survivor %s exit status\n%s", w.pid(), harness.describe()).isZero();
            }

            verify(ferry, ids, killed, activeAtKill);
            System.out.printf("SigkillStormTest: enqueue+start %d ms, storm %d ms, drain %d ms, total %d ms%n",
                    (tReady - t0) / 1_000_000, (tLastKill - tReady) / 1_000_000, (tDone - tLastKill) / 1_000_000,
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** Enqueues {@code n} more tasks (seq numbers continue after the ones in {@code ids}) and adds their ids. */
    private void enqueue(Ferry ferry, List<String> ids, int n) {
        Random rnd = new Random(42 + ids.size());
        int first = ids.size();
        for (int from = first; from < first + n; from += 500) {
            List<Task> batch = new ArrayList<>();
            for (int i = from; i < Math.min(first + n, from + 500); i++) {
                batch.add(Task.of(CrashWorkerMain.TYPE, new CrashWorkerMain.Work(i, 2 + rnd.nextInt(7)))
                        .queue(CrashHarness.QUEUE)
                        .maxAttempts(20));
            }
            for (EnqueueResult r : ferry.client().enqueueAll(batch)) {
                assertThat(r.created()).isTrue();
                ids.add(r.id());
            }
        }
    }

    private void verify(Ferry ferry, List<String> ids, Map<Long, Instant> killed, Map<Long, Integer> activeAtKill) {
        String context = harness.describe();
        QueueStats stats = ferry.inspector().queue(CrashHarness.QUEUE);
        assertThat(stats.count(TaskState.COMPLETED)).as("completed\n%s", context).isEqualTo(ids.size());
        for (TaskState s : List.of(TaskState.PENDING, TaskState.ACTIVE, TaskState.SCHEDULED, TaskState.RETRYING,
                TaskState.DEAD, TaskState.CANCELLED, TaskState.WAITING)) {
            assertThat(stats.count(s)).as("%s tasks left; %s", s, CrashHarness.stats(ferry.inspector())).isZero();
        }
        assertThat(stats.processedTotal()).as("one successful ack per task").isEqualTo(ids.size());
        assertThat(stats.deadTotal()).isZero();

        Map<String, TaskInfo> infos = CrashHarness.tasks(ferry.inspector(), TaskState.COMPLETED);
        assertThat(infos.keySet()).as("the completed tasks are exactly the enqueued ones").isEqualTo(new HashSet<>(ids));

        Ledger ledger = Ledger.read(harness.ledgerDir);
        assertThat(ledger.torn()).as("torn ledger lines").isEmpty();
        Map<String, List<Ledger.Entry>> byTask = ledger.byTask();
        assertThat(infos.keySet().containsAll(byTask.keySet())).as("ledger task ids are enqueued ids").isTrue();

        List<String> violations = new ArrayList<>();
        // A live worker that lost a lease (its renewals came too late) may have run a task that now
        // runs again: a duplicate no kill explains. The worker reports it as LEASE_LOST.
        for (WorkerProcess w : harness.workers) {
            for (String l : w.lines("LEASE_LOST")) {
                violations.add("worker " + w.pid() + " lost a lease while alive: " + l);
            }
        }
        Map<Long, Integer> duplicatesByKilledPid = new TreeMap<>();
        int duplicates = 0;
        long leaseExpirations = 0;
        for (String id : ids) {
            TaskInfo info = infos.get(id);
            List<Ledger.Entry> runs = byTask.getOrDefault(id, List.of());
            leaseExpirations += info.leaseExpirations();
            String what = id + " " + runs + " attempt=" + info.attempt() + " leaseExpirations=" + info.leaseExpirations()
                    + " errors=" + info.errors().stream().map(e -> e.attempt() + ":" + e.errorType() + ":" + e.message()).toList();
            if (runs.isEmpty()) {
                violations.add("completed but never recorded by a handler: " + what);
                continue;
            }
            if (runs.stream().map(Ledger.Entry::attempt).distinct().count() != runs.size()) {
                violations.add("two runs with the same attempt number (claimed twice under one attempt): " + what);
            }
            Ledger.Entry last = runs.stream().max((a, b) -> Integer.compare(a.attempt(), b.attempt())).orElseThrow();
            if (last.attempt() != info.attempt()) {
                violations.add("the completing run's attempt is not the stored attempt: " + what);
            }
            if (info.attempt() != 1 + info.leaseExpirations()) {
                violations.add("attempt != 1 + leaseExpirations (an attempt was counted for something other than"
                        + " a lease expiry): " + what);
            }
            for (TaskError e : info.errors()) {
                Long pid = killed.keySet().stream().filter(p -> e.message().contains("(worker w-" + p + ")")).findFirst().orElse(null);
                if (!"lease-expired".equals(e.errorType()) || pid == null) {
                    violations.add("an error other than a lease expiry of a SIGKILLed worker: " + what);
                } else if (e.at().isBefore(killed.get(pid))) {
                    violations.add("a lease of worker w-" + pid + " expired at " + e.at() + ", before it was killed at "
                            + killed.get(pid) + ": " + what);
                }
            }
            for (Ledger.Entry run : runs) {
                if (run == last) {
                    continue;
                }
                duplicates++;
                if (!killed.containsKey(run.pid())) {
                    violations.add("ran twice, and an earlier run was by a worker that was never killed: " + what);
                } else {
                    duplicatesByKilledPid.merge(run.pid(), 1, Integer::sum);
                    if (info.errors().stream().noneMatch(e -> e.message().contains("(worker w-" + run.pid() + ")"))) {
                        violations.add("ran again after pid " + run.pid() + " but no lease expiry of that worker"
                                + " is recorded: " + what);
                    }
                }
            }
            if (runs.size() > 1 && (info.attempt() < 2 || info.leaseExpirations() < 1)) {
                violations.add("ran twice without a counted lease expiry: " + what);
            }
        }
        String summary = "kills=" + KILLS + " killedPids=" + killed.keySet() + " activeLeasesAtKill=" + activeAtKill
                + " duplicates=" + duplicates + " byKilledPid=" + duplicatesByKilledPid + " leaseExpirations=" + leaseExpirations
                + " ledgerLines=" + ledger.entries().size() + " failedTotal=" + stats.failedTotal();
        System.out.println("SigkillStormTest: " + summary);
        assertThat(violations).as("invariant violations (%s)\n%s", summary, context).isEmpty();
        assertThat(stats.failedTotal()).as("failed attempts are the lease expiries").isEqualTo(leaseExpirations);
        // A kill can only re-run what the killed worker held: at most concurrency + prefetch leases.
        // (If these fail while every invariant above holds, the worker held more leases than that:
        // tasks whose handler finished keep their lease until their ack is applied.)
        assertThat(duplicates).as("duplicates bounded by kills x (concurrency + prefetch); %s", summary)
                .isLessThanOrEqualTo(KILLS * (CONCURRENCY + PREFETCH));
        assertThat(duplicatesByKilledPid.values()).as("duplicates of one kill bounded by concurrency + prefetch; %s", summary)
                .allMatch(n -> n <= CONCURRENCY + PREFETCH);
    }
}
