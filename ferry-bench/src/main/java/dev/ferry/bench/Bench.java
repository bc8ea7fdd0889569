package dev.ferry.bench;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.FerryException;
import dev.ferry.Inspector;
import dev.ferry.QueueStats;
import dev.ferry.Task;
import dev.ferry.TaskEvent;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The end-to-end load generator behind {@code ferry bench}: producer, broker and worker in one
 * process, no-op handlers, one fresh queue per phase.
 *
 * <ol>
 *   <li><b>warm-up</b> (not counted): every path below once on a throw-away queue with
 *       {@code tasks / 5} tasks (at most {@value #WARMUP_MAX}), so the JIT has compiled them;</li>
 *   <li><b>enqueue</b>: {@code tasks} single {@link Client#enqueue} calls from {@code producers}
 *       platform threads; tasks per second from the first call to the last return.</li>
 *   <li><b>batch enqueue</b>: the same number in {@link Client#enqueueAll} batches of {@value #BATCH},
 *       the batches shared out over the same threads.</li>
 *   <li><b>drain</b>: {@code tasks} tasks enqueued beforehand (not timed); one worker with
 *       {@code concurrency} slots; from {@link Worker#start()} until every task's SUCCEEDED event was
 *       seen <em>and</em> the broker's {@code processedTotal} for the queue reached {@code tasks}
 *       (its completion acknowledged and stored).</li>
 *   <li><b>idle pickup latency</b>: the worker idle (nothing in flight, waiting for work); one
 *       task enqueued at a time; from just before the {@code enqueue} call to the first line of the
 *       handler, {@link System#nanoTime()} on both sides; the next sample after the previous task's
 *       ack and a random 1-3 ms pause. p50, p99, max from an HdrHistogram.</li>
 *   <li><b>depth</b> (optional): {@value #DEPTH_FINISHED} tasks enqueued and run to completion
 *       (kept for their retention), then {@value #DEPTH_PENDING} tasks left pending in
 *       {@value #DEPTH_QUEUES} other queues (with {@link BenchOptions#depthDelayed()}: delayed by a day,
 *       in the queues the depth drains use); then the drain of phase 3 again, and the used heap after
 *       a full GC at the end of both drains. With depth, both drains run {@value #DEPTH_REPEATS}
 *       times and report their median, so the ratio compares like with like.</li>
 * </ol>
 *
 * When the broker URL is not a temp database made by {@link BenchOptions#freshTempSqliteUrl()},
 * the bench purges the tasks it created at the end; a temp database is deleted whole.
 */
public final class Bench {
    /** Tasks per {@code enqueueAll} call in the batch phase and in untimed set-up. */
    public static final int BATCH = 1000;
    /** The task type of every bench task. */
    public static final String TYPE = "bench.noop";
    static final int LATENCY_SAMPLES = 1000;
    static final int LATENCY_WARMUP = 50;
    static final int WARMUP_MAX = 20_000;
    /** Latency samples slower than this are counted in the progress line (a missed wake-up shows here). */
    static final int SLOW_SAMPLE_MS = 50;
    static final int DEPTH_PENDING = 1_000_000;
    static final int DEPTH_FINISHED = 1_000_000;
    static final int DEPTH_QUEUES = 10;
    /** How far ahead the delayed tasks of a delayed depth store are due: never during the run. */
    static final Duration DEPTH_DELAY = Duration.ofHours(24);
    /** With depth, the empty and the deep drain are each run this many times (median reported). */
    public static final int DEPTH_REPEATS = 3;
    /** A phase fails when no task finished for this long. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(120);

    /** The bench payload: small, as most real payloads (an id and a counter). */
    public record Noop(String run, long n) {
    }

    private final BenchOptions options;
    private final PrintStream progress;
    private final int depthPending;
    private final int depthFinished;
    private final String run = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    private final List<String> queuesUsed = new ArrayList<>();
    private Ferry ferry;

    private Bench(BenchOptions options, PrintStream progress, int depthPending, int depthFinished) {
        this.options = options;
        this.depthPending = depthPending;
        this.depthFinished = depthFinished;
        this.progress = progress != null ? progress : new PrintStream(OutputStream.nullOutputStream());
    }

    /**
     * Runs every phase against {@code options.brokerUrl()}, printing one line per phase to
     * {@code progress} (may be null), and writes the report to {@code options.jsonOut()} when set.
     */
    public static BenchReport run(BenchOptions options, PrintStream progress) {
        return new Bench(options, progress, DEPTH_PENDING, DEPTH_FINISHED).run();
    }

    /** {@link #run} with other depth sizes (tests). */
    static BenchReport run(BenchOptions options, PrintStream progress, int depthPending, int depthFinished) {
        return new Bench(options, progress, depthPending, depthFinished).run();
    }

    private BenchReport run() {
        Path tempDb = BenchOptions.tempDatabaseFile(options.brokerUrl());
        if (tempDb != null) {
            createDirectories(tempDb.getParent());
        }
        try (Ferry f = Ferry.open(options.brokerUrl())) {
            this.ferry = f;
            BenchReport report;
            try {
                report = measure();
            } finally {
                if (tempDb == null) {
                    cleanUp();
                }
            }
            if (options.jsonOut() != null) {
                writeJson(options.jsonOut(), report);
            }
            return report;
        } finally {
            if (tempDb != null) {
                deleteRecursively(tempDb.getParent());
            }
        }
    }

    private BenchReport measure() {
        String backend = ferry.broker().capabilities().name();
        int steps = options.depth() ? 5 : 4;
        say("ferry bench: %s broker %s; %,d tasks, concurrency %d, %d producers, %d CPUs%s",
                backend, options.brokerUrl(), options.tasks(), options.concurrency(), options.producers(),
                Runtime.getRuntime().availableProcessors(), options.depth() ? ", with depth" : "");

        long w0 = System.nanoTime();
        int warm = warmUp();
        say("[0/%d] warm-up: %,d tasks enqueued one by one, %,d in batches, %,d drained (%.1f s, not counted)", steps,
                warm / 4, warm, warm, seconds(System.nanoTime() - w0));

        double enqueue = enqueueOneByOne(queue("enqueue"), options.tasks());
        say("[1/%d] enqueue one by one, %d producers: %,.0f tasks/s", steps, options.producers(), enqueue);

        double batch = enqueueBatched(queue("batch"), options.tasks());
        say("[2/%d] enqueue in batches of %d, %d producers: %,.0f tasks/s", steps, BATCH, options.producers(), batch);

        int repeats = options.depth() ? DEPTH_REPEATS : 1;
        Drain drain = drainMedian("drain", repeats);
        say("[3/%d] drain with %d slots: %,.0f tasks/s%s (heap after GC %.1f MiB)", steps, options.concurrency(),
                drain.perSecond, drain.runs, drain.heapMb);

        Histogram latency = pickupLatency(queue("latency"), Math.min(LATENCY_SAMPLES, options.tasks()));
        say("[4/%d] idle pickup latency, %d samples: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d over %d ms)", steps,
                latency.getTotalCount(), ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)),
                ms(latency.getMaxValue()), slowSamples(latency), SLOW_SAMPLE_MS);

        Double depthPerS = null;
        Double ratio = null;
        Double heapDepth = null;
        long pending = 0;
        long finished = 0;
        if (options.depth()) {
            long[] counts = fillDepth(steps);
            finished = counts[0];
            pending = counts[1];
            Drain deep = drainMedian("depthdrain", repeats);
            depthPerS = deep.perSecond;
            ratio = deep.perSecond / drain.perSecond;
            heapDepth = deep.heapMb;
            say("[5/%d] drain at depth (%,d %s, %,d finished): %,.0f tasks/s%s = %.3f of empty; "
                    + "heap after GC %.1f MiB (empty: %.1f MiB)", steps, pending,
                    options.depthDelayed() ? "delayed in the drained queues" : "pending in other queues", finished,
                    deep.perSecond, deep.runs,
                    ratio, deep.heapMb, drain.heapMb);
        }
        return new BenchReport(options.brokerUrl(), backend, options.tasks(), options.concurrency(), options.producers(),
                enqueue, batch, drain.perSecond,
                ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)), ms(latency.getMaxValue()),
                (int) latency.getTotalCount(), drain.heapMb, depthPerS, ratio, heapDepth, pending, finished,
                Runtime.version().toString(), Runtime.getRuntime().availableProcessors(), options.depthDelayed());
    }

    // ---- warm-up -------------------------------------------------------------------------------

    /**
     * Runs every code path once on a throw-away queue so the JIT has compiled the hot paths before
     * anything is timed: a quarter as many single enqueues, then batches, then a drain. Returns the
     * batch and drain size ({@code tasks / 5}, between 1 and {@value #WARMUP_MAX}).
     */
    private int warmUp() {
        int n = Math.max(1, Math.min(WARMUP_MAX, options.tasks() / 5));
        String queue = queue("warmup");
        Client client = ferry.client();
        AtomicLong next = new AtomicLong();
        onProducers(() -> {
            for (long i = next.getAndIncrement(); i < n / 4; i = next.getAndIncrement()) {
                client.enqueue(task(queue, i));
            }
        });
        purge(queue, TaskState.PENDING);
        fill(queue, n);
        purge(queue, TaskState.PENDING);
        drain(queue("warmupdrain"), n, options.concurrency());
        return n;
    }

    // ---- phase 1 and 2: enqueue ------------------------------------------------------------

    /** {@code n} single enqueues from the producer threads; tasks per second. */
    private double enqueueOneByOne(String queue, int n) {
        Client client = ferry.client();
        AtomicLong next = new AtomicLong();
        long nanos = onProducers(() -> {
            for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                client.enqueue(task(queue, i));
            }
        });
        expectCount(queue, TaskState.PENDING, n);
        purge(queue, TaskState.PENDING);
        return perSecond(n, nanos);
    }

    /** {@code n} tasks in batches of {@value #BATCH} shared out over the producer threads; tasks per second. */
    private double enqueueBatched(String queue, int n) {
        long nanos = fill(queue, n);
        expectCount(queue, TaskState.PENDING, n);
        purge(queue, TaskState.PENDING);
        return perSecond(n, nanos);
    }

    /** Enqueues {@code n} tasks to {@code queue} in batches from the producer threads; the nanoseconds it took. */
    private long fill(String queue, int n) {
        return fill(i -> queue, n);
    }

    private long fill(IntFunction<String> queueOfBatch, int n) {
        return fill(queueOfBatch, n, Bench::task);
    }

    /** A task of the bench type for a queue and a number. */
    private interface TaskMaker {
        Task make(String queue, long n);
    }

    private long fill(IntFunction<String> queueOfBatch, int n, TaskMaker maker) {
        Client client = ferry.client();
        int batches = (n + BATCH - 1) / BATCH;
        AtomicLong next = new AtomicLong();
        return onProducers(() -> {
            List<Task> tasks = new ArrayList<>(BATCH);
            for (long b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                String queue = queueOfBatch.apply((int) b);
                long from = b * BATCH;
                long to = Math.min(n, from + BATCH);
                tasks.clear();
                for (long i = from; i < to; i++) {
                    tasks.add(maker.make(queue, i));
                }
                client.enqueueAll(tasks);
            }
        });
    }

    /** Runs {@code body} on every producer thread at once; the nanoseconds from release to the last one's end. */
    private long onProducers(Runnable body) {
        int p = options.producers();
        CountDownLatch ready = new CountDownLatch(p);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>(p);
        for (int t = 0; t < p; t++) {
            threads.add(Thread.ofPlatform().name("ferry-bench-producer-" + t).start(() -> {
                ready.countDown();
                try {
                    go.await();
                    body.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        awaitUninterruptibly(ready);
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            joinUninterruptibly(t);
        }
        long nanos = System.nanoTime() - start;
        rethrow(failure.get());
        return nanos;
    }

    // ---- phase 3: drain --------------------------------------------------------------------

    private record Drain(double perSecond, double heapMb, String runs) {
    }

    /**
     * {@code repeats} drains of {@code tasks} tasks, each on a fresh queue; the median rate and the
     * heap of the last. With depth the empty and the deep figure are both medians of
     * {@value #DEPTH_REPEATS}, so their ratio is not at the mercy of one noisy run.
     */
    private Drain drainMedian(String phase, int repeats) {
        List<Drain> runs = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            runs.add(drain(queue(repeats == 1 ? phase : phase + r), options.tasks(), options.concurrency()));
        }
        if (repeats == 1) {
            return runs.get(0);
        }
        double[] rates = runs.stream().mapToDouble(Drain::perSecond).sorted().toArray();
        StringBuilder detail = new StringBuilder(" (median of");
        for (Drain d : runs) {
            detail.append(String.format(Locale.ROOT, " %,.0f", d.perSecond));
        }
        return new Drain(rates[rates.length / 2], runs.get(runs.size() - 1).heapMb, detail.append(')').toString());
    }

    /**
     * Enqueues {@code n} tasks (not timed), then times one worker with {@code concurrency} slots from
     * its start until all were seen to succeed and the broker counts them processed.
     */
    private Drain drain(String queue, int n, int concurrency) {
        fill(queue, n);
        expectCount(queue, TaskState.PENDING, n);
        gc();
        Completion done = new Completion(queue);
        Worker worker = ferry.worker()
                .queues(queue)
                .concurrency(concurrency)
                .handle(TYPE, Noop.class, (payload, ctx) -> null)
                .listener(done)
                .build();
        try {
            long start = System.nanoTime();
            worker.start();
            done.await(n, "drain of " + queue);
            awaitProcessed(queue, n);
            long nanos = System.nanoTime() - start;
            double heap = heapUsedAfterGcMb();
            expectCount(queue, TaskState.COMPLETED, n);
            return new Drain(perSecond(n, nanos), heap, "");
        } finally {
            worker.close();
        }
    }

    /** Counts SUCCEEDED events of one queue; fails a wait when nothing moves for {@link #STALL_NANOS}. */
    private static final class Completion implements dev.ferry.TaskListener {
        private final String queue;
        private final AtomicLong succeeded = new AtomicLong();
        private final AtomicLong other = new AtomicLong();
        private volatile Thread waiter;
        private volatile long target = Long.MAX_VALUE;

        Completion(String queue) {
            this.queue = queue;
        }

        @Override
        public void onEvent(TaskEvent event) {
            if (!queue.equals(event.queue())) {
                return;
            }
            if (event.kind() == TaskEvent.Kind.SUCCEEDED) {
                if (succeeded.incrementAndGet() >= target) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            } else if (event.kind() != TaskEvent.Kind.STARTED) {
                other.incrementAndGet();
            }
        }

        void await(long n, String what) {
            waiter = Thread.currentThread();
            target = n;
            long seen = -1;
            long lastMove = System.nanoTime();
            while (succeeded.get() < n) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                long now = succeeded.get();
                if (now != seen) {
                    seen = now;
                    lastMove = System.nanoTime();
                } else if (System.nanoTime() - lastMove > STALL_NANOS) {
                    throw new FerryException(what + " stalled: " + now + " of " + n + " tasks succeeded, "
                            + other.get() + " other outcomes (retry, dead, lease lost...)");
                }
            }
            waiter = null;
        }
    }

    /** Polls the broker until the queue's processed total reaches {@code n} (the acks are stored). */
    private void awaitProcessed(String queue, long n) {
        Inspector inspector = ferry.inspector();
        long deadline = System.nanoTime() + STALL_NANOS;
        while (true) {
            long processed = inspector.queue(queue).processedTotal();
            if (processed >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new FerryException("acks of " + queue + " stalled: processed total " + processed + " of " + n);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    // ---- phase 4: idle pickup latency -----------------------------------------------------

    private Histogram pickupLatency(String queue, int samples) {
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
        int warmup = Math.min(LATENCY_WARMUP, samples);
        int total = warmup + samples;
        AtomicLongArray startedAt = new AtomicLongArray(total);
        Semaphore started = new Semaphore(0);
        Worker worker = ferry.worker()
                .queues(queue)
                .concurrency(options.concurrency())
                .handle(TYPE, Noop.class, (payload, ctx) -> {
                    startedAt.set((int) payload.n(), System.nanoTime());
                    started.release();
                    return null;
                })
                .build()
                .start();
        try {
            Client client = ferry.client();
            pause(100, 100); // let the fetch loop reach its first wait
            for (int i = 0; i < total; i++) {
                Task task = task(queue, i);
                long t0 = System.nanoTime();
                client.enqueue(task);
                if (!started.tryAcquire(STALL_NANOS, TimeUnit.NANOSECONDS)) {
                    throw new FerryException("latency sample " + i + " of " + queue + " did not start within "
                            + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s");
                }
                if (i >= warmup) {
                    histogram.recordValue(Math.max(1, startedAt.get(i) - t0));
                }
                awaitIdle(worker);
                pause(1, 2);
            }
            awaitProcessed(queue, total);
            return histogram;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted", e);
        } finally {
            worker.close();
        }
    }

    private static long slowSamples(Histogram h) {
        long from = TimeUnit.MILLISECONDS.toNanos(SLOW_SAMPLE_MS);
        return from > h.getMaxValue() ? 0 : h.getCountBetweenValues(from, h.getMaxValue());
    }

    /** Waits until the worker holds no task (the last one's ack is stored). */
    private static void awaitIdle(Worker worker) {
        long deadline = System.nanoTime() + STALL_NANOS;
        while (worker.inFlight() > 0) {
            if (System.nanoTime() > deadline) {
                throw new FerryException("worker " + worker.id() + " did not become idle");
            }
            LockSupport.parkNanos(50_000);
        }
    }

    // ---- phase 5: depth ----------------------------------------------------------------------

    /**
     * Puts {@value #DEPTH_FINISHED} completed tasks (run by a worker, kept for their retention) and
     * {@value #DEPTH_PENDING} pending tasks in other queues into the store. Returns {finished, pending}
     * as the broker counts them.
     */
    private long[] fillDepth(int steps) {
        String doneQueue = queue("depthdone");
        long t0 = System.nanoTime();
        fill(doneQueue, depthFinished);
        say("[5/%d] depth set-up: %,d tasks enqueued in %.1f s; running them to completion...", steps,
                depthFinished, seconds(System.nanoTime() - t0));
        long t1 = System.nanoTime();
        Completion done = new Completion(doneQueue);
        // Set-up only (not measured): a wide worker with prefetch, so claims and acks are big.
        Worker worker = ferry.worker()
                .queues(doneQueue)
                .concurrency(Math.max(256, options.concurrency()))
                .prefetch(Math.max(256, options.concurrency()))
                .handle(TYPE, Noop.class, (payload, ctx) -> null)
                .listener(done)
                .start();
        try {
            done.await(depthFinished, "depth set-up drain of " + doneQueue);
            awaitProcessed(doneQueue, depthFinished);
        } finally {
            worker.close();
        }
        long finished = ferry.inspector().queue(doneQueue).count(TaskState.COMPLETED);
        say("[5/%d] depth set-up: %,d finished tasks retained (run in %.1f s)", steps, finished,
                seconds(System.nanoTime() - t1));

        List<String> pendingQueues = new ArrayList<>();
        TaskMaker maker = Bench::task;
        TaskState waiting = TaskState.PENDING;
        if (options.depthDelayed()) {
            // The queues the depth drains will use (drainMedian names them so): their claims must
            // step over the delayed tasks, which is what this variant measures.
            for (int r = 0; r < DEPTH_REPEATS; r++) {
                pendingQueues.add(queue("depthdrain" + r));
            }
            maker = (queue, i) -> task(queue, i).delay(DEPTH_DELAY);
            waiting = TaskState.SCHEDULED;
        } else {
            for (int q = 0; q < DEPTH_QUEUES; q++) {
                pendingQueues.add(queue("depthpending" + q));
            }
        }
        long t2 = System.nanoTime();
        fill(b -> pendingQueues.get(b % pendingQueues.size()), depthPending, maker);
        long pending = 0;
        for (String q : pendingQueues) {
            pending += ferry.inspector().queue(q).count(waiting);
        }
        say("[5/%d] depth set-up: %,d tasks %s in %d queues (enqueued in %.1f s)", steps, pending,
                options.depthDelayed() ? "delayed by " + DEPTH_DELAY.toHours() + " h" : "pending",
                pendingQueues.size(), seconds(System.nanoTime() - t2));
        if (finished < depthFinished || pending < depthPending) {
            throw new FerryException("depth set-up incomplete: " + finished + " finished, " + pending + " " + waiting);
        }
        return new long[] {finished, pending};
    }

    // ---- helpers -----------------------------------------------------------------------------

    private String queue(String phase) {
        String q = "bench-" + phase + "-" + run;
        queuesUsed.add(q);
        return q;
    }

    private static Task task(String queue, long n) {
        return Task.of(TYPE, new Noop("bench", n)).queue(queue);
    }

    private void expectCount(String queue, TaskState state, long n) {
        long actual = ferry.inspector().queue(queue).count(state);
        if (actual != n) {
            throw new FerryException("queue " + queue + " has " + actual + " " + state + " tasks, expected " + n);
        }
    }

    private void purge(String queue, TaskState... states) {
        ferry.inspector().purge(queue, states);
    }

    /** Deletes what the bench left in a broker that is not its own temp database (best effort). */
    private void cleanUp() {
        for (String q : queuesUsed) {
            try {
                purge(q, TaskState.PENDING, TaskState.SCHEDULED, TaskState.RETRYING, TaskState.COMPLETED,
                        TaskState.DEAD, TaskState.CANCELLED);
            } catch (RuntimeException e) {
                say("could not purge bench queue %s: %s", q, e.getMessage());
            }
        }
    }

    private void say(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
        progress.flush();
    }

    private static double perSecond(long n, long nanos) {
        return n * 1e9 / Math.max(1, nanos);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** A full GC, twice (the second one collects what finalization and reference processing freed). */
    private static void gc() {
        System.gc();
        System.gc();
    }

    private static double heapUsedAfterGcMb() {
        gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }

    /** Sleeps between {@code minMs} and {@code minMs + spreadMs} milliseconds. */
    private static void pause(int minMs, int spreadMs) {
        long nanos = TimeUnit.MILLISECONDS.toNanos(minMs) + ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(spreadMs) + 1);
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted", e);
        }
    }

    private static void joinUninterruptibly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted", e);
        }
    }

    private static void rethrow(Throwable t) {
        if (t == null) {
            return;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new FerryException("producer failed: " + t, t);
    }

    static void writeJson(Path file, BenchReport report) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, report.toJson() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bench report to " + file, e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: a temp directory left behind is harmless
        }
    }
}
