package dev.ferry.bench;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.FerryException;
import dev.ferry.RawJson;
import dev.ferry.Task;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Fair claim order (issue 5), printed, never asserted: "a queue with 10,000 tenants and one heavy
 * tenant of 1M tasks: a light tenant's task starts within the same latency as on an idle queue".
 *
 * <p>One process, one worker ({@code concurrency} slots, no-op handlers), a fresh queue per phase.
 * A <em>probe</em> is a task enqueued one at a time, one every {@value #PACE_MS} ms without waiting
 * for the previous one, from a random one of {@code tenants} light tenants; its latency is from
 * just before {@code enqueue} to the first line of its handler ({@link System#nanoTime()} carried
 * in the payload, same JVM).
 *
 * <ol>
 *   <li><b>idle</b>: {@value #WARMUP} unrecorded probes, then {@code probes} probes on the empty
 *       queue: the baseline.</li>
 *   <li><b>fair</b>: {@code heavy} tasks of tenant {@code "heavy"} enqueued in batches of
 *       {@value #BATCH} while the worker runs, then the probes. A probe counts as served next to
 *       the backlog when, as it started, more heavy tasks had not started than the worker has slots
 *       (so at least one was still pending in the broker, not only claimed). Then the queue is
 *       purged, so the run does not wait for the rest of the backlog.</li>
 *   <li><b>control</b> (skip with {@code --no-control}): the same with {@code heavy / 20} tasks and
 *       no tenant on any task: plain claim order, so the probes wait behind the backlog.</li>
 * </ol>
 *
 * Each probe phase prints two views: the probes that <em>started</em> while the backlog still had
 * pending tasks (the claim: served next to it), and the probes <em>sent</em> while it had (what a
 * caller sees: in claim order these wait for the whole backlog, so none of them starts while it
 * lasts).
 *
 * <pre>
 * java -cp ferry-cli/target/ferry.jar dev.ferry.bench.FairBench URL [heavy=1000000] [tenants=10000] [probes=200] [concurrency=64] [--no-control]
 * </pre>
 */
public final class FairBench {
    static final String PROBE = "fairbench.probe";
    static final String HEAVY = "fairbench.heavy";
    static final String HEAVY_TENANT = "heavy";
    static final int BATCH = 1000;
    static final int PACE_MS = 20;
    static final int WARMUP = 20;
    /** The control backlog is this much smaller than the fair one: in claim order it is drained whole. */
    static final int CONTROL_DIVISOR = 20;
    /** A phase fails when no task started for this long. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(120);

    /** A probe's payload: its number in the phase and {@link System#nanoTime()} before its enqueue. */
    public record Probe(int n, long sentAt) {
    }

    private FairBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>(Arrays.asList(args));
        boolean control = !positional.remove("--no-control");
        if (positional.isEmpty() || positional.get(0).startsWith("-")) {
            System.err.println("usage: FairBench URL [heavy=1000000] [tenants=10000] [probes=200] [concurrency=64] [--no-control]");
            System.exit(2);
        }
        String url = positional.get(0);
        int heavy = arg(positional, 1, 1_000_000);
        int tenants = arg(positional, 2, 10_000);
        int probes = arg(positional, 3, 200);
        int concurrency = arg(positional, 4, 64);
        try (Ferry ferry = Ferry.open(url)) {
            run(ferry, url, heavy, tenants, probes, concurrency, control);
        }
        System.exit(0);
    }

    private static int arg(List<String> args, int i, int fallback) {
        return args.size() > i ? Integer.parseInt(args.get(i).replace("_", "")) : fallback;
    }

    static void run(Ferry ferry, String url, int heavy, int tenants, int probes, int concurrency, boolean control) {
        String run = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        int steps = control ? 3 : 2;
        System.out.printf(Locale.ROOT, "FairBench: %s broker %s; heavy %,d, %,d light tenants, %d probes every %d ms, "
                        + "concurrency %d%s; Java %s, %d CPUs%n",
                ferry.broker().capabilities().name(), url, heavy, tenants, probes, PACE_MS, concurrency,
                control ? ", control " + String.format(Locale.ROOT, "%,d", heavy / CONTROL_DIVISOR) : "",
                Runtime.version(), Runtime.getRuntime().availableProcessors());

        double idleP99;
        try (Phase idle = new Phase(ferry, "fairbench-idle-" + run, concurrency)) {
            idle.send(WARMUP, tenants);
            Probes p = idle.send(probes, tenants);
            Histogram h = histogram(p, i -> true);
            idleP99 = ms(h.getValueAtPercentile(99));
            System.out.printf(Locale.ROOT, "[1/%d] idle: %d probes on an empty queue (after %d warm-up): %s%n",
                    steps, h.getTotalCount(), WARMUP, figures(h, Double.NaN));
        }

        try (Phase fair = new Phase(ferry, "fairbench-fair-" + run, concurrency)) {
            double rate = fair.enqueueBacklog(heavy, HEAVY_TENANT);
            System.out.printf(Locale.ROOT, "[2/%d] fair: %,d tasks of tenant \"%s\" enqueued in batches of %,d at %,.0f tasks/s "
                    + "with the worker running (%,d not started yet)%n", steps, heavy, HEAVY_TENANT, BATCH, rate, fair.heavyLeft());
            Probes p = fair.send(probes, tenants);
            report(fair, p, "\"" + HEAVY_TENANT + "\"", heavy, idleP99);
        }

        if (control) {
            int backlog = heavy / CONTROL_DIVISOR;
            try (Phase fifo = new Phase(ferry, "fairbench-fifo-" + run, concurrency)) {
                double rate = fifo.enqueueBacklog(backlog, null);
                System.out.printf(Locale.ROOT, "[3/%d] control, no tenants (claim order): %,d tasks enqueued at %,.0f tasks/s "
                        + "with the worker running (%,d not started yet)%n", steps, backlog, rate, fifo.heavyLeft());
                Probes p = fifo.send(probes, 0);
                report(fifo, p, "the backlog", backlog, idleP99);
            }
        }
    }

    private static void report(Phase phase, Probes p, String who, int backlog, double idleP99) {
        Histogram started = histogram(p, i -> p.heavyLeftAtStart.get(i) > phase.concurrency);
        Histogram sent = histogram(p, i -> p.heavyLeftAtSend.get(i) > phase.concurrency);
        System.out.printf(Locale.ROOT, "  probes that started while %s still had pending tasks: %d of %d: %s%n",
                who, started.getTotalCount(), p.count, figures(started, idleP99));
        System.out.printf(Locale.ROOT, "  probes sent while %s had pending tasks:                %d of %d: %s%n",
                who, sent.getTotalCount(), p.count, figures(sent, idleP99));
        System.out.printf(Locale.ROOT, "  tasks of %s not started yet when the last probe started: %,d of %,d%n",
                who, p.heavyLeftAtLastStart(), backlog);
    }

    private static String figures(Histogram h, double idleP99) {
        if (h.getTotalCount() == 0) {
            return "none";
        }
        double p99 = ms(h.getValueAtPercentile(99));
        return String.format(Locale.ROOT, "p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%s",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), p99, ms(h.getMaxValue()),
                Double.isNaN(idleP99) ? "" : String.format(Locale.ROOT, "; p99 = %.2f x idle", p99 / idleP99));
    }

    private static Histogram histogram(Probes p, java.util.function.IntPredicate counted) {
        Histogram h = new Histogram(3);
        for (int i = 0; i < p.count; i++) {
            if (counted.test(i)) {
                h.recordValue(Math.max(1, p.latency.get(i)));
            }
        }
        return h;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** What the probes of one round saw. */
    static final class Probes {
        final int count;
        final AtomicLongArray latency;
        final AtomicLongArray startedAt;
        /** Heavy tasks not started yet as the probe was sent / as it started. */
        final AtomicLongArray heavyLeftAtSend;
        final AtomicLongArray heavyLeftAtStart;
        final CountDownLatch started;

        Probes(int count) {
            this.count = count;
            this.latency = new AtomicLongArray(count);
            this.startedAt = new AtomicLongArray(count);
            this.heavyLeftAtSend = new AtomicLongArray(count);
            this.heavyLeftAtStart = new AtomicLongArray(count);
            this.started = new CountDownLatch(count);
        }

        long heavyLeftAtLastStart() {
            int last = 0;
            for (int i = 1; i < count; i++) {
                if (startedAt.get(i) - startedAt.get(last) > 0) {
                    last = i;
                }
            }
            return count == 0 ? 0 : heavyLeftAtStart.get(last);
        }
    }

    /** One fresh queue with its worker; closing purges what is left of it. */
    static final class Phase implements AutoCloseable {
        final Ferry ferry;
        final String queue;
        final int concurrency;
        final AtomicLong heavyEnqueued = new AtomicLong();
        final AtomicLong heavyStarted = new AtomicLong();
        final Worker worker;
        private volatile Probes probes;

        Phase(Ferry ferry, String queue, int concurrency) {
            this.ferry = ferry;
            this.queue = queue;
            this.concurrency = concurrency;
            this.worker = ferry.worker().queues(queue).concurrency(concurrency)
                    .handle(HEAVY, RawJson.class, (payload, ctx) -> {
                        heavyStarted.incrementAndGet();
                        return null;
                    })
                    .handle(PROBE, Probe.class, (payload, ctx) -> {
                        long now = System.nanoTime();
                        Probes p = probes;
                        int n = payload.n();
                        p.latency.set(n, now - payload.sentAt());
                        p.startedAt.set(n, now);
                        p.heavyLeftAtStart.set(n, heavyLeft());
                        p.started.countDown();
                        return null;
                    })
                    .start();
        }

        /** Heavy tasks enqueued and not started: pending, or claimed by the worker (at most its slots). */
        long heavyLeft() {
            return heavyEnqueued.get() - heavyStarted.get();
        }

        /** Enqueues the backlog in batches; returns tasks per second. */
        double enqueueBacklog(int total, String tenant) {
            Task task = Task.ofJson(HEAVY, "{}").queue(queue);
            if (tenant != null) {
                task = task.tenant(tenant);
            }
            Client client = ferry.client();
            long t0 = System.nanoTime();
            for (int done = 0; done < total; done += BATCH) {
                int n = Math.min(BATCH, total - done);
                client.enqueueAll(Collections.nCopies(n, task));
                heavyEnqueued.addAndGet(n);
            }
            return total / ((System.nanoTime() - t0) / 1e9);
        }

        /**
         * Sends {@code count} probes, paced, from random tenants ({@code tenants == 0}: no tenant),
         * and waits until all of them started.
         */
        Probes send(int count, int tenants) {
            Probes p = new Probes(count);
            probes = p;
            Client client = ferry.client();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long next = System.nanoTime();
            for (int i = 0; i < count; i++) {
                LockSupport.parkNanos(next - System.nanoTime());
                String tenant = tenants > 0 ? "light-" + random.nextInt(tenants) : null;
                p.heavyLeftAtSend.set(i, heavyLeft());
                long t0 = System.nanoTime();
                Task task = Task.of(PROBE, new Probe(i, t0)).queue(queue);
                client.enqueue(tenant == null ? task : task.tenant(tenant));
                next += TimeUnit.MILLISECONDS.toNanos(PACE_MS);
            }
            awaitStarted(p);
            return p;
        }

        private void awaitStarted(Probes p) {
            long lastProgress = System.nanoTime();
            long seen = -1;
            try {
                while (!p.started.await(1, TimeUnit.SECONDS)) {
                    long now = heavyStarted.get() + p.count - p.started.getCount();
                    if (now != seen) {
                        seen = now;
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > STALL_NANOS) {
                        throw new FerryException(p.started.getCount() + " probes of " + queue + " did not start; nothing started for "
                                + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("interrupted", e);
            }
        }

        /** Purges the pending rest first (so the worker stops draining it), then everything else. */
        @Override
        public void close() {
            long t0 = System.nanoTime();
            long pending = ferry.inspector().purge(queue, TaskState.PENDING);
            worker.close();
            long rest = ferry.inspector().purge(queue, TaskState.SCHEDULED, TaskState.PENDING, TaskState.RETRYING,
                    TaskState.WAITING, TaskState.COMPLETED, TaskState.DEAD, TaskState.CANCELLED);
            if (heavyEnqueued.get() > 0) {
                System.out.printf(Locale.ROOT, "  purged %,d pending and %,d other tasks in %.1f s%n",
                        pending, rest, (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
