package dev.ferry.testing.crash;

import dev.ferry.Inspector;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spi.TaskPage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What crash tests share: the worker JVMs they started, the ledger, bounded waits with useful
 * failures. Public so a backend can write its own crash scenario (a server restart, say) on it.
 */
public final class CrashHarness implements AutoCloseable {
    /** The queue every crash test uses. */
    public static final String QUEUE = "crash";

    final Path dir;
    final String brokerUrl;
    final Path ledgerDir;

    /** The directory where each child writes its ledger. */
    public Path ledgerDir() {
        return ledgerDir;
    }
    final List<WorkerProcess> workers = new ArrayList<>();
    private int started;

    /** Children log to {@code dir}; they and the test process open {@code brokerUrl}. */
    public CrashHarness(Path dir, String brokerUrl) {
        this.dir = dir;
        this.brokerUrl = brokerUrl;
        this.ledgerDir = dir.resolve("ledger");
        try {
            java.nio.file.Files.createDirectories(ledgerDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The broker URL of the store under test. */
    public String url() {
        return brokerUrl;
    }

    /** Starts a worker JVM with these extra CrashWorkerMain arguments. */
    public WorkerProcess startWorker(String... settings) {
        List<String> args = new ArrayList<>(List.of("broker=" + brokerUrl, "ledger=" + ledgerDir, "queue=" + QUEUE));
        args.addAll(List.of(settings));
        WorkerProcess w = WorkerProcess.start(dir, started++, args);
        workers.add(w);
        return w;
    }

    public void awaitReady(WorkerProcess w) {
        await("worker " + w.pid() + " READY", Duration.ofSeconds(30), () -> {
            if (!w.isAlive() && !w.isReady()) {
                throw new AssertionError("worker " + w.pid() + " died before READY\n" + w.describe());
            }
            return w.isReady();
        });
    }

    List<WorkerProcess> alive() {
        return workers.stream().filter(WorkerProcess::isAlive).toList();
    }

    /** Waits (polling every 50 ms) for the condition; on timeout fails with the children's output. */
    public void await(String what, Duration atMost, Callable<Boolean> condition) {
        await(what, atMost, condition, () -> "");
    }

    public void await(String what, Duration atMost, Callable<Boolean> condition, Supplier<String> state) {
        try {
            Awaitility.await(what)
                    .atMost(atMost)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out after " + atMost + " waiting for " + what + "\n" + state.get()
                    + "\n" + describe(), e);
        }
    }

    public String describe() {
        return WorkerProcess.describeAll(workers);
    }

    public static String stats(Inspector inspector) {
        QueueStats s = inspector.queue(QUEUE);
        return "queue " + QUEUE + ": " + s.counts() + " processed=" + s.processedTotal() + " failed=" + s.failedTotal()
                + " dead=" + s.deadTotal();
    }

    /** Every task of the queue in {@code state}, by id. */
    public static Map<String, TaskInfo> tasks(Inspector inspector, TaskState state) {
        Map<String, TaskInfo> all = new HashMap<>();
        int offset = 0;
        while (true) {
            TaskPage page = inspector.tasks(QUEUE, state, offset, 1000);
            for (TaskInfo t : page.tasks()) {
                all.put(t.id(), t);
            }
            if (!page.hasMore()) {
                return all;
            }
            offset += page.tasks().size();
        }
    }

    /** SIGKILLs every child still running and waits for it: no orphan JVMs. */
    @Override
    public void close() {
        for (WorkerProcess w : workers) {
            w.destroyQuietly();
        }
    }
}
