package dev.ferry.bench.peers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.InvalidInputException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The workload of {@code ferry bench} (enqueue one by one, batch enqueue, drain, idle pickup
 * latency; no-op handlers; producer and workers in one JVM) run on JobRunr or db-scheduler with
 * PostgreSQL storage, so the figures can be put beside Ferry's on the same database
 * ({@code ferry-bench/peers/run-postgres.sh}). Each run works in a schema of its own, created at
 * the start and dropped at the end. Prints one JSON object with the field names of Ferry's report.
 * <pre>
 * java -cp ... dev.ferry.bench.peers.PgPeerBench --peer jobrunr|db-scheduler
 *      [--jdbc URL] [--tasks N] [--concurrency N] [--producers N] [--samples N] [--pool N]
 *      [--poll-ms N] [--tuned]
 * </pre>
 * {@code --poll-ms} overrides the peer's polling interval (defaults: JobRunr 15 s,
 * db-scheduler 10 s); {@code --tuned} switches db-scheduler to lock-and-fetch polling (its
 * {@code SELECT ... FOR UPDATE SKIP LOCKED} strategy) with immediate execution.
 */
public final class PgPeerBench {
    static final int BATCH = 1000;
    static final int WARMUP_MAX = 5_000;
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(120);

    private PgPeerBench() {
    }

    public static void main(String[] args) throws Exception {
        String peerName = null;
        String jdbc = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
        int tasks = 20_000;
        int concurrency = 64;
        int producers = 8;
        int samples = 20;
        int pool = 10;
        long pollMs = -1;
        boolean tuned = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--peer" -> peerName = value(args, ++i, "peer");
                case "--jdbc" -> jdbc = value(args, ++i, "jdbc");
                case "--tasks" -> tasks = number(value(args, ++i, "tasks"), "tasks");
                case "--concurrency" -> concurrency = number(value(args, ++i, "concurrency"), "concurrency");
                case "--producers" -> producers = number(value(args, ++i, "producers"), "producers");
                case "--samples" -> samples = number(value(args, ++i, "samples"), "samples");
                case "--pool" -> pool = number(value(args, ++i, "pool"), "pool");
                case "--poll-ms" -> pollMs = number(value(args, ++i, "poll-ms"), "poll-ms");
                case "--tuned" -> tuned = true;
                default -> throw new InvalidInputException("arguments", "unknown option '" + args[i] + "'");
            }
        }
        if (peerName == null || !(peerName.equals("jobrunr") || peerName.equals("db-scheduler"))) {
            throw new InvalidInputException("peer", "--peer jobrunr or --peer db-scheduler is required");
        }
        String schema = "bench_" + peerName.replace("-", "") + "_"
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        try (HikariDataSource admin = dataSource(jdbc, null, 1)) {
            execute(admin, "CREATE SCHEMA " + schema);
            try (HikariDataSource ds = dataSource(jdbc, schema, pool)) {
                Peer peer = switch (peerName) {
                    case "jobrunr" -> new JobRunrPeer(ds, pollMs, concurrency);
                    case "db-scheduler" -> new DbSchedulerPeer(ds, pollMs, tuned);
                    default -> throw new InvalidInputException("peer", "unknown peer '" + peerName + "'");
                };
                try (peer) {
                    System.out.println(new PgPeerBench.Run(peer, tasks, concurrency, producers, samples, pool).measure());
                }
            } finally {
                execute(admin, "DROP SCHEMA " + schema + " CASCADE");
            }
        }
        System.exit(0); // the peers leave non-daemon threads behind
    }

    private static String value(String[] args, int i, String field) {
        if (i >= args.length) {
            throw new InvalidInputException(field, "needs a value");
        }
        return args[i];
    }

    private static int number(String text, String field) {
        try {
            int n = Integer.parseInt(text.replace("_", ""));
            if (n < 1) {
                throw new InvalidInputException(field, "must be at least 1, was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, "not a whole number: '" + text + "'");
        }
    }

    static HikariDataSource dataSource(String jdbc, String schema, int pool) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbc);
        config.setMaximumPoolSize(pool);
        config.setPoolName("bench-" + (schema == null ? "admin" : schema));
        if (schema != null) {
            config.setSchema(schema);
        }
        return new HikariDataSource(config);
    }

    static void execute(javax.sql.DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private record Run(Peer peer, int tasks, int concurrency, int producers, int samples, int pool) {
        String measure() {
            say("peer bench: %s; %,d tasks, concurrency %d, %d producers, pool %d, %d latency samples",
                    peer.describe(), tasks, concurrency, producers, pool, samples);
            long w0 = System.nanoTime();
            int warm = Math.max(1, Math.min(WARMUP_MAX, tasks / 5));
            enqueueOneByOne(warm / 4);
            enqueueBatched(warm);
            drain(warm);
            say("[0/4] warm-up: %,d jobs (%.1f s, not counted)", warm, (System.nanoTime() - w0) / 1e9);

            double enqueue = enqueueOneByOne(tasks);
            say("[1/4] enqueue one by one, %d producers: %,.0f jobs/s", producers, enqueue);
            double batch = enqueueBatched(tasks);
            say("[2/4] enqueue in batches of %d: %,.0f jobs/s", BATCH, batch);
            double drain = drain(tasks);
            say("[3/4] drain with %d threads: %,.0f jobs/s", concurrency, drain);
            double[] lat = latency(samples);
            say("[4/4] idle pickup latency, %d samples: p50 %.3f ms, p99 %.3f ms, max %.3f ms", lat.length,
                    percentile(lat, 50), percentile(lat, 99), lat[lat.length - 1]);
            return String.format(Locale.ROOT, "{\"peer\": \"%s\", \"backend\": \"%s\", \"tasks\": %d, \"concurrency\": %d, "
                            + "\"producers\": %d, \"pool\": %d, \"enqueue_per_s\": %.1f, \"enqueue_batch_per_s\": %.1f, "
                            + "\"drain_per_s\": %.1f, \"latency_p50_ms\": %.3f, \"latency_p99_ms\": %.3f, "
                            + "\"latency_max_ms\": %.3f, \"latency_samples\": %d, \"java\": \"%s\"}",
                    peer instanceof JobRunrPeer ? "jobrunr" : "db-scheduler", peer.describe(), tasks, concurrency,
                    producers, pool, enqueue, batch, drain, percentile(lat, 50), percentile(lat, 99),
                    lat[lat.length - 1], lat.length, Runtime.version());
        }

        double enqueueOneByOne(int n) {
            AtomicLong next = new AtomicLong();
            long nanos = onProducers(() -> {
                for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    peer.enqueue(i);
                }
            });
            expectWaiting(n);
            peer.clear();
            return n * 1e9 / nanos;
        }

        double enqueueBatched(int n) {
            long nanos = fill(n);
            expectWaiting(n);
            peer.clear();
            return n * 1e9 / nanos;
        }

        long fill(int n) {
            int batches = (n + BATCH - 1) / BATCH;
            AtomicLong next = new AtomicLong();
            return onProducers(() -> {
                for (long b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                    List<Long> numbers = new ArrayList<>(BATCH);
                    for (long i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i++) {
                        numbers.add(i);
                    }
                    peer.enqueueBatch(numbers);
                }
            });
        }

        /** From starting the workers until every job ran and the store counts it finished. */
        double drain(int n) {
            fill(n);
            expectWaiting(n);
            long ran0 = Probe.RAN.get();
            long finished0 = peer.finished();
            System.gc();
            long start = System.nanoTime();
            peer.startWorkers(concurrency);
            waitFor(() -> Probe.RAN.get() - ran0 >= n, "drain: handlers");
            waitFor(() -> peer.finished() - finished0 >= n, "drain: stored completions");
            long nanos = System.nanoTime() - start;
            peer.stopWorkers();
            peer.clear();
            return n * 1e9 / nanos;
        }

        /** Idle workers; one job at a time; enqueue call start to handler start, in ms, sorted. */
        double[] latency(int count) {
            // Pollers take a polling interval per sample: one unrecorded sample is enough for them.
            int warmup = count >= 20 ? 5 : 1;
            int total = warmup + count;
            AtomicLongArray started = new AtomicLongArray(total);
            Probe.startedAt = started;
            peer.startWorkers(concurrency);
            pause(1000, 0); // let the workers reach their wait for work
            double[] values = new double[count];
            try {
                for (int i = 0; i < total; i++) {
                    int n = i;
                    long finished0 = peer.finished();
                    long t0 = System.nanoTime();
                    peer.enqueue(n);
                    waitFor(() -> started.get(n) != 0, "latency sample " + n);
                    if (i >= warmup) {
                        values[i - warmup] = (started.get(n) - t0) / 1e6;
                    }
                    waitFor(() -> peer.finished() - finished0 >= 1, "latency sample " + n + " stored");
                    pause(1, 2);
                }
            } finally {
                Probe.startedAt = null;
                peer.stopWorkers();
            }
            Arrays.sort(values);
            return values;
        }

        void expectWaiting(long n) {
            long waiting = peer.waiting();
            if (waiting != n) {
                throw new IllegalStateException(peer.describe() + ": " + waiting + " jobs waiting, expected " + n);
            }
        }

        long onProducers(Runnable body) {
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < producers; t++) {
                threads.add(Thread.ofPlatform().name("bench-producer-" + t).start(() -> {
                    try {
                        go.await();
                        body.run();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            long nanos = System.nanoTime() - start;
            if (failure.get() != null) {
                throw new IllegalStateException("producer failed", failure.get());
            }
            return nanos;
        }
    }

    interface Condition {
        boolean met();
    }

    /** Polls every 2 ms (the store is asked at most that often); fails after {@link #STALL_NANOS}. */
    static void waitFor(Condition condition, String what) {
        long deadline = System.nanoTime() + STALL_NANOS;
        while (!condition.met()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not happen within " + STALL_NANOS / 1_000_000_000 + " s");
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    static double percentile(double[] sorted, double p) {
        int rank = Math.max(1, (int) Math.ceil(p / 100 * sorted.length));
        return sorted[rank - 1];
    }

    static void pause(int minMs, int spreadMs) {
        long nanos = TimeUnit.MILLISECONDS.toNanos(minMs)
                + ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(spreadMs) + 1);
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    static void say(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
