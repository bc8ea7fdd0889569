package dev.ferry.embedded;

import dev.ferry.TaskState;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick throughput look at the embedded broker, straight on the SPI (no worker runtime). Not a
 * test and not a benchmark harness: run it by hand to see the order of magnitude, e.g.
 * {@code java -cp <test class path> dev.ferry.embedded.ThroughputCheck [dir] [--big]}.
 * {@code --big} adds the scale check: the same claim+ack with a million pending tasks in another
 * queue and a million finished ones retained.
 */
public final class ThroughputCheck {
    private static final Duration LEASE = Duration.ofMinutes(5);

    private ThroughputCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 && !args[0].startsWith("--") ? Path.of(args[0]) : Files.createTempDirectory("ferry-tp");
        boolean big = List.of(args).contains("--big");
        for (EmbeddedBroker.Synchronous sync : EmbeddedBroker.Synchronous.values()) {
            Path file = dir.resolve("tp-" + sync + ".db");
            deleteDb(file);
            try (EmbeddedBroker broker = EmbeddedBroker.builder(file).synchronous(sync).build()) {
                System.out.println("== synchronous=" + sync + " (" + file + ")");
                batchedEnqueue(broker, "warmup", 50_000, 1000);
                claimAndAck(broker, "warmup", 50_000, 4, 100);
                report("batched enqueue (1 thread, 1000/call)", 200_000, time(() -> batchedEnqueue(broker, "b", 200_000, 1000)));
                report("one-by-one enqueue (8 threads)", 100_000, time(() -> singleEnqueues(broker, "s", 8, 100_000)));
                report("claim+ack (4 threads, 100/call)", 200_000, time(() -> claimAndAck(broker, "b", 200_000, 4, 100)));
                report("claim+ack (8 threads, 50/call)", 100_000, time(() -> claimAndAck(broker, "s", 100_000, 8, 50)));
            }
        }
        if (big) {
            Path file = dir.resolve("tp-big.db");
            deleteDb(file);
            try (EmbeddedBroker broker = EmbeddedBroker.open(file)) {
                System.out.println("== scale: 1M pending elsewhere, 1M finished retained (" + file + ")");
                report("baseline batched enqueue", 100_000, time(() -> batchedEnqueue(broker, "base", 100_000, 1000)));
                report("baseline claim+ack", 100_000, time(() -> claimAndAck(broker, "base", 100_000, 4, 100)));
                report("fill: 1M finished", 1_000_000, time(() -> {
                    batchedEnqueue(broker, "history", 1_000_000, 1000);
                    claimAndAck(broker, "history", 1_000_000, 4, 100);
                }));
                report("fill: 1M pending", 1_000_000, time(() -> batchedEnqueue(broker, "backlog", 1_000_000, 1000)));
                report("loaded batched enqueue", 100_000, time(() -> batchedEnqueue(broker, "fresh", 100_000, 1000)));
                report("loaded one-by-one enqueue (8 threads)", 50_000, time(() -> singleEnqueues(broker, "fresh2", 8, 50_000)));
                report("loaded claim+ack", 100_000, time(() -> claimAndAck(broker, "fresh", 100_000, 4, 100)));
                long t0 = System.nanoTime();
                int n = 0;
                for (int i = 0; i < 200; i++) {
                    n += broker.stats(List.of()).size();
                }
                System.out.printf("  stats of all queues: %.2f ms per call (%d queues)%n",
                        (System.nanoTime() - t0) / 1e6 / 200, n / 200);
            }
        }
    }

    private static final AtomicLong SEQ = new AtomicLong();

    /**
     * A task with a time-ordered id, like the ids the core generates (ULID-style): random ids
     * would measure the cost of a random primary-key index instead of the broker.
     */
    private static NewTask task(String queue) {
        return Fixtures.task(queue, String.format("%013d-%010d", System.currentTimeMillis(), SEQ.incrementAndGet()));
    }

    private static void deleteDb(Path file) throws Exception {
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }

    interface Body {
        void run() throws Exception;
    }

    /** CPU time of the writer thread(s) during the last {@link #time} call. */
    private static long lastWriterCpu;

    private static long time(Body body) throws Exception {
        long cpu0 = writerCpu();
        long t0 = System.nanoTime();
        body.run();
        long elapsed = System.nanoTime() - t0;
        lastWriterCpu = writerCpu() - cpu0;
        return elapsed;
    }

    /**
     * The writer's CPU time (Linux: its {@code /proc} entry, in clock ticks). Throughput on a busy
     * machine varies; the writer's cost per task much less.
     */
    private static long writerCpu() throws IOException {
        Path proc = Path.of("/proc/self/task");
        if (!Files.isDirectory(proc)) {
            return 0; // not Linux
        }
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc)) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("comm")).startsWith("ferry-writer")) {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    }
                } catch (IOException exited) {
                    // a thread that ended while we looked: not the writer
                }
            }
        }
        return ticks * 10_000_000L; // USER_HZ = 100
    }

    private static void report(String what, int tasks, long nanos) {
        System.out.printf("  %-42s %9d tasks in %6d ms = %8.0f tasks/s (writer CPU %.1f us/task)%n", what, tasks,
                nanos / 1_000_000, tasks / (nanos / 1e9), lastWriterCpu / 1e3 / tasks);
    }

    private static void batchedEnqueue(EmbeddedBroker broker, String queue, int tasks, int batch) {
        for (int done = 0; done < tasks; done += batch) {
            List<NewTask> list = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                list.add(task(queue));
            }
            broker.enqueue(new EnqueueRequest(list));
        }
    }

    private static void singleEnqueues(EmbeddedBroker broker, String queue, int threads, int tasks) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < tasks / threads; i++) {
                        broker.enqueue(new EnqueueRequest(List.of(task(queue))));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
        }
    }

    private static void claimAndAck(EmbeddedBroker broker, String queue, int tasks, int threads, int batch)
            throws Exception {
        AtomicLong done = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String worker = "w" + t;
                fs.add(pool.submit(() -> {
                    while (done.get() < tasks) {
                        List<ClaimedTask> claimed = broker.claim(new ClaimRequest(worker, List.of(queue), batch, LEASE)).tasks();
                        if (claimed.isEmpty()) {
                            break;
                        }
                        List<Ack> acks = claimed.stream().map(c -> new Ack(c.lease(), new Outcome.Completed(null))).toList();
                        broker.ack(new AckRequest(acks));
                        done.addAndGet(claimed.size());
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        long left = broker.stats(List.of(queue)).get(0).count(TaskState.PENDING);
        if (left != 0) {
            throw new IllegalStateException(left + " tasks left in " + queue);
        }
    }
}
