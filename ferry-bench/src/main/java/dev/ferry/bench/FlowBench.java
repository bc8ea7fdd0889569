package dev.ferry.bench;

import dev.ferry.Ferry;
import dev.ferry.Limit;
import dev.ferry.RawJson;
import dev.ferry.Task;
import dev.ferry.Worker;
import dev.ferry.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Figures for workflows and flow control (issue 5), printed, never asserted:
 *
 * <ul>
 *   <li>{@code chain}: the latency a chain step adds over a single task's pickup. Runs single
 *       no-op tasks one at a time (enqueue to handler start), then chains of no-op steps (one
 *       step's start to the next step's start), and prints the medians and the difference.</li>
 *   <li>{@code rate}: a queue limited to N starts/s, served by several workers with room to
 *       break it: the rate observed over the run and the most starts seen in any one-second
 *       window, against the limit and its burst.</li>
 * </ul>
 *
 * <pre>
 * java -cp ferry-cli/target/ferry.jar dev.ferry.bench.FlowBench chain sqlite:/tmp/flow.db [chains] [steps]
 * java -cp ferry-cli/target/ferry.jar dev.ferry.bench.FlowBench rate  redis://127.0.0.1:6379 [perSecond] [workers] [seconds]
 * </pre>
 */
public final class FlowBench {
    private FlowBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: FlowBench chain URL [chains] [steps] | rate URL [perSecond] [workers] [seconds]");
            System.exit(2);
        }
        String url = args[1];
        switch (args[0]) {
            case "chain" -> chain(url, arg(args, 2, 30), arg(args, 3, 10));
            case "rate" -> rate(url, arg(args, 2, 1000), arg(args, 3, 4), arg(args, 4, 60));
            default -> {
                System.err.println("unknown scenario " + args[0]);
                System.exit(2);
            }
        }
        System.exit(0);
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    /** Median per-step latency of chains vs. median pickup of single tasks, on an idle queue. */
    static void chain(String url, int chains, int steps) throws Exception {
        String queue = "flowbench-" + Long.toHexString(System.nanoTime());
        Map<String, Long> started = new ConcurrentHashMap<>();
        try (Ferry ferry = Ferry.open(url)) {
            Worker worker = ferry.worker().queues(queue).concurrency(8).pollInterval(Duration.ofMillis(500))
                    .handle("bench.noop", RawJson.class, (p, ctx) -> {
                        started.put(ctx.id(), System.nanoTime());
                        return Map.of("ok", true);
                    }).start();
            // warm up both paths
            for (int i = 0; i < 5; i++) {
                single(ferry, queue, started);
                oneChain(ferry, queue, started, steps);
            }
            List<Double> pickups = new ArrayList<>();
            List<Double> perStep = new ArrayList<>();
            for (int i = 0; i < chains; i++) {
                pickups.add(single(ferry, queue, started));
                perStep.add(oneChain(ferry, queue, started, steps));
            }
            worker.close();
            double pickup = median(pickups);
            double step = median(perStep);
            System.out.printf(Locale.ROOT, "chain of %d no-op steps, %d runs, broker %s%n", steps, chains, url);
            System.out.printf(Locale.ROOT, "  single task pickup (enqueue -> handler start): median %.2f ms%n", pickup);
            System.out.printf(Locale.ROOT, "  chain step (step start -> next step start):    median %.2f ms%n", step);
            System.out.printf(Locale.ROOT, "  overhead per step over a single pickup:        %.2f ms (target <= 2 ms)%n", step - pickup);
        }
    }

    private static double single(Ferry ferry, String queue, Map<String, Long> started) {
        long t0 = System.nanoTime();
        String id = ferry.client().enqueue(Task.ofJson("bench.noop", "{}").queue(queue)).id();
        long start = await(started, id);
        return (start - t0) / 1e6;
    }

    private static double oneChain(Ferry ferry, String queue, Map<String, Long> started, int steps) {
        List<Object> parts = new ArrayList<>();
        parts.add(Task.ofJson("bench.noop", "{}").queue(queue));
        for (int i = 1; i < steps; i++) {
            parts.add(Workflow.step("bench.noop").queue(queue));
        }
        var run = ferry.workflows().start(Workflow.chain(parts.toArray()));
        List<String> ids = new ArrayList<>(run.taskIds().values());
        long first = await(started, ids.get(0));
        long last = await(started, ids.get(ids.size() - 1));
        return (last - first) / 1e6 / (steps - 1);
    }

    private static long await(Map<String, Long> started, String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Long t = started.get(id);
            if (t != null) {
                return t;
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("task " + id + " did not start within 60 s");
    }

    /** Observed rate and the busiest one-second window of a rate-limited queue. */
    static void rate(String url, int perSecond, int workers, int seconds) throws Exception {
        String queue = "ratebench-" + Long.toHexString(System.nanoTime());
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        Limit limit = Limit.rate(queue, perSecond, Duration.ofSeconds(1));
        try (Ferry ferry = Ferry.open(url)) {
            int total = perSecond * (seconds + 5);
            List<Task> batch = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                batch.add(Task.ofJson("bench.noop", "{}").queue(queue));
                if (batch.size() == 1000) {
                    ferry.client().enqueueAll(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                ferry.client().enqueueAll(batch);
            }
            CountDownLatch stop = new CountDownLatch(1);
            List<Worker> ws = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                ws.add(ferry.worker().queues(queue).concurrency(64).limit(limit)
                        .handle("bench.noop", RawJson.class, (p, ctx) -> starts.add(System.nanoTime())).start());
            }
            stop.await(seconds, TimeUnit.SECONDS);
            ws.forEach(w -> w.shutdown(Duration.ofSeconds(5)));
        }
        List<Long> sorted = new ArrayList<>(starts);
        Collections.sort(sorted);
        if (sorted.size() < 2) {
            System.out.println("too few starts: " + sorted.size());
            return;
        }
        long t0 = sorted.get(0);
        long end = sorted.get(sorted.size() - 1);
        // The bucket starts full, so the first `burst` starts may come at once; after that the
        // rate is the limit. Two views: the whole run net of the burst, and the second half alone
        // (by then any leftover burst is spent), which is the steady rate the limit promises.
        double net = (sorted.size() - perSecond) / ((end - t0) / 1e9);
        long mid = t0 + (end - t0) / 2;
        long secondHalf = sorted.stream().filter(t -> t >= mid).count();
        double steady = secondHalf / ((end - mid) / 1e9);
        int maxWindow = 0;
        int j = 0;
        for (int i = 0; i < sorted.size(); i++) {
            while (sorted.get(i) - sorted.get(j) >= TimeUnit.SECONDS.toNanos(1)) {
                j++;
            }
            maxWindow = Math.max(maxWindow, i - j + 1);
        }
        System.out.printf(Locale.ROOT, "rate limit %d/s (burst %d), %d workers x 64 slots, %d s, broker %s%n",
                perSecond, perSecond, workers, seconds, url);
        System.out.printf(Locale.ROOT, "  starts: %d; second half of the run %.1f/s (%.2f%% of the limit); whole run net of the burst %.1f/s%n",
                sorted.size(), steady, 100.0 * steady / perSecond, net);
        System.out.printf(Locale.ROOT, "  busiest 1 s window: %d starts as the handlers saw them (limit + burst = %d)%n", maxWindow, 2 * perSecond);
    }

    private static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
