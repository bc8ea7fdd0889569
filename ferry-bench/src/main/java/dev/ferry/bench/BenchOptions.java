package dev.ferry.bench;

import dev.ferry.InvalidInputException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What {@link Bench#run} measures and against which broker. Immutable; every {@code withX}
 * returns a checked copy.
 *
 * @param brokerUrl   the broker to measure, for example {@code sqlite:/tmp/bench.db}
 * @param tasks       tasks per throughput phase (enqueue, batch enqueue, drain), at least 1
 * @param concurrency handler slots of the draining worker
 * @param producers   threads that enqueue at once
 * @param depth       also measure the drain with 1,000,000 tasks pending in other queues and
 *                    1,000,000 finished tasks retained in the store (takes minutes)
 * @param jsonOut     where to write the report as JSON, or null
 * @param depthDelayed with {@code depth}: the 1,000,000 unfinished tasks of the depth store are
 *                    delayed by a day and sit in the drained queues themselves (scheduled), instead
 *                    of pending in other queues
 */
public record BenchOptions(String brokerUrl, int tasks, int concurrency, int producers, boolean depth, Path jsonOut,
        boolean depthDelayed) {
    /** Most tasks per phase: the bench keeps no per-task state, but a phase must end in reasonable time. */
    public static final int MAX_TASKS = 100_000_000;
    public static final int MAX_CONCURRENCY = 100_000;
    public static final int MAX_PRODUCERS = 1_024;

    /** URLs made by {@link #freshTempSqliteUrl()}: {@link Bench} creates their directory and deletes it after a run. */
    static final Set<String> TEMP_URLS = ConcurrentHashMap.newKeySet();

    public BenchOptions {
        if (brokerUrl == null || brokerUrl.isBlank()) {
            throw new InvalidInputException("brokerUrl", "a broker URL is required, for example sqlite:./bench.db");
        }
        if (tasks < 1 || tasks > MAX_TASKS) {
            throw new InvalidInputException("tasks", "must be between 1 and " + MAX_TASKS + ", was " + tasks);
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new InvalidInputException("concurrency", "must be between 1 and " + MAX_CONCURRENCY + ", was " + concurrency);
        }
        if (producers < 1 || producers > MAX_PRODUCERS) {
            throw new InvalidInputException("producers", "must be between 1 and " + MAX_PRODUCERS + ", was " + producers);
        }
    }

    /**
     * 100,000 tasks, 64 slots, 8 producers, no depth run, no JSON file, on a fresh SQLite file in
     * a new temp directory (deleted after the run).
     */
    public static BenchOptions defaults() {
        return new BenchOptions(freshTempSqliteUrl(), 100_000, 64, 8, false, null, false);
    }

    /**
     * A {@code sqlite:} URL of a database file in a new temp directory of its own. Nothing is
     * created yet: {@link Bench#run} creates the directory when it opens the broker and deletes it
     * (with the database) when it is done.
     */
    public static String freshTempSqliteUrl() {
        String name = "ferry-bench-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        Path file = Path.of(System.getProperty("java.io.tmpdir"), name, "bench.db").toAbsolutePath();
        String url = "sqlite:" + file;
        TEMP_URLS.add(url);
        return url;
    }

    /** The database file of a URL made by {@link #freshTempSqliteUrl()}, or null for any other URL. */
    static Path tempDatabaseFile(String url) {
        return TEMP_URLS.contains(url) ? Path.of(url.substring("sqlite:".length())) : null;
    }

    public BenchOptions withBrokerUrl(String brokerUrl) {
        return new BenchOptions(brokerUrl, tasks, concurrency, producers, depth, jsonOut, depthDelayed);
    }

    public BenchOptions withTasks(int tasks) {
        return new BenchOptions(brokerUrl, tasks, concurrency, producers, depth, jsonOut, depthDelayed);
    }

    public BenchOptions withConcurrency(int concurrency) {
        return new BenchOptions(brokerUrl, tasks, concurrency, producers, depth, jsonOut, depthDelayed);
    }

    public BenchOptions withProducers(int producers) {
        return new BenchOptions(brokerUrl, tasks, concurrency, producers, depth, jsonOut, depthDelayed);
    }

    public BenchOptions withDepth(boolean depth) {
        return new BenchOptions(brokerUrl, tasks, concurrency, producers, depth, jsonOut, depthDelayed);
    }

    /** Where to write the JSON report; null for nowhere. */
    public BenchOptions withJsonOut(Path jsonOut) {
        return new BenchOptions(brokerUrl, tasks, concurrency, producers, depth, jsonOut, depthDelayed);
    }

    /**
     * Whether the depth store's unfinished tasks are delayed ones in the drained queues (true) or
     * pending ones in other queues (false); matters only with {@code depth}.
     */
    public BenchOptions withDepthDelayed(boolean depthDelayed) {
        return new BenchOptions(brokerUrl, tasks, concurrency, producers, depth, jsonOut, depthDelayed);
    }
}
