package dev.ferry.redis.crash;

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

/** What the Redis crash tests share (as the embedded ones): the children they started, bounded waits with useful failures. */
final class CrashHarness implements AutoCloseable {
    static final String QUEUE = "crash";

    final Path dir;
    final String url;
    final String prefix;
    final Path ledgerDir;
    final List<WorkerProcess> workers = new ArrayList<>();
    private final List<dev.ferry.spi.Broker> brokers = new ArrayList<>();
    private int started;

    CrashHarness(Path dir, String url, String prefix) {
        this.dir = dir;
        this.url = url;
        this.prefix = prefix;
        this.ledgerDir = dir.resolve("ledger");
        try {
            java.nio.file.Files.createDirectories(ledgerDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A Ferry on the test's Redis and prefix, for the test process itself (its broker closes with the harness). */
    dev.ferry.Ferry ferry() {
        dev.ferry.redis.RedisBroker broker = dev.ferry.redis.RedisBroker.builder(url).keyPrefix(prefix)
                .commandTimeout(Duration.ofSeconds(2)).build();
        brokers.add(broker);
        return dev.ferry.Ferry.builder().broker(broker).build();
    }

    /** Starts a worker JVM with these extra CrashWorkerMain arguments. */
    WorkerProcess startWorker(String... settings) {
        List<String> args = new ArrayList<>(List.of("url=" + url, "prefix=" + prefix, "ledger=" + ledgerDir,
                "queue=" + QUEUE));
        args.addAll(List.of(settings));
        WorkerProcess w = WorkerProcess.start(dir, started++, args);
        workers.add(w);
        return w;
    }

    void awaitReady(WorkerProcess w) {
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
    void await(String what, Duration atMost, Callable<Boolean> condition) {
        await(what, atMost, condition, () -> "");
    }

    void await(String what, Duration atMost, Callable<Boolean> condition, Supplier<String> state) {
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

    String describe() {
        return WorkerProcess.describeAll(workers);
    }

    static String stats(Inspector inspector) {
        QueueStats s = inspector.queue(QUEUE);
        return "queue " + QUEUE + ": " + s.counts() + " processed=" + s.processedTotal() + " failed=" + s.failedTotal()
                + " dead=" + s.deadTotal();
    }

    /** Every task of the queue in {@code state}, by id. */
    static Map<String, TaskInfo> tasks(Inspector inspector, TaskState state) {
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
        for (dev.ferry.spi.Broker b : brokers) {
            b.close();
        }
    }
}
