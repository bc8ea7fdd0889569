package dev.ferry.bench;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.FerryException;
import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import dev.ferry.TaskEvent;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Redis broker's cost model, counted by the server: for each phase of {@link Bench} (enqueue
 * one by one, enqueue in batches of {@value Bench#BATCH}, drain with {@code concurrency} slots),
 * {@code CONFIG RESETSTAT} before it and {@code INFO commandstats} / {@code INFO stats} after it,
 * divided by the tasks of the phase: commands (and which), script calls, network bytes per task.
 * Everything the process sends counts, the worker's background duties included.
 * <pre>
 * java -cp ... dev.ferry.bench.RedisCostBench --redis redis://127.0.0.1:6390/0 [--tasks N] [--concurrency N]
 * </pre>
 * Resets the server's statistics: use a Redis of your own. Prints one JSON object per phase.
 */
public final class RedisCostBench {
    private static final Pattern COMMAND = Pattern.compile("(?m)^cmdstat_([a-z|_-]+):calls=(\\d+)");
    private static final Pattern NET_IN = Pattern.compile("(?m)^total_net_input_bytes:(\\d+)");
    private static final Pattern NET_OUT = Pattern.compile("(?m)^total_net_output_bytes:(\\d+)");

    private RedisCostBench() {
    }

    public static void main(String[] args) {
        String redis = null;
        int tasks = 20_000;
        int concurrency = 50;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--redis" -> redis = value(args, ++i, "redis");
                case "--tasks" -> tasks = number(value(args, ++i, "tasks"), "tasks");
                case "--concurrency" -> concurrency = number(value(args, ++i, "concurrency"), "concurrency");
                default -> throw new InvalidInputException("arguments", "unknown option '" + args[i] + "'");
            }
        }
        if (redis == null) {
            throw new InvalidInputException("redis", "a Redis URL is required, for example redis://127.0.0.1:6390/0");
        }
        String prefix = "cost" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        RedisClient client = RedisClient.create(RedisURI.create(redis));
        try (StatefulRedisConnection<String, String> conn = client.connect();
                Ferry ferry = Ferry.open(redis + "?keyPrefix=" + prefix)) {
            Client producer = ferry.client();
            // warm-up: scripts loaded, queues known, JIT warm
            enqueueBatched(producer, "warm", 2_000);
            drain(ferry, "warm", 2_000, concurrency);

            conn.sync().configResetstat();
            for (int i = 0; i < tasks; i++) {
                producer.enqueue(Task.of(Bench.TYPE, new Bench.Noop("bench", i)).queue("one"));
            }
            System.out.println(report(conn, "enqueue one by one", tasks));
            ferry.inspector().purge("one", TaskState.PENDING);

            conn.sync().configResetstat();
            enqueueBatched(producer, "batch", tasks);
            System.out.println(report(conn, "enqueue in batches of " + Bench.BATCH, tasks));
            ferry.inspector().purge("batch", TaskState.PENDING);

            enqueueBatched(producer, "drain", tasks);
            conn.sync().configResetstat();
            drain(ferry, "drain", tasks, concurrency);
            System.out.println(report(conn, "drain, " + concurrency + " slots", tasks));
            for (String q : List.of("warm", "drain")) {
                ferry.inspector().purge(q, TaskState.COMPLETED);
            }
        } finally {
            client.shutdown();
        }
    }

    private static void enqueueBatched(Client producer, String queue, int n) {
        List<Task> batch = new ArrayList<>(Bench.BATCH);
        for (int i = 0; i < n; i++) {
            batch.add(Task.of(Bench.TYPE, new Bench.Noop("bench", i)).queue(queue));
            if (batch.size() == Bench.BATCH || i == n - 1) {
                producer.enqueueAll(batch);
                batch.clear();
            }
        }
    }

    /** Runs the queue's n tasks to completion and waits until the broker counts them processed. */
    private static void drain(Ferry ferry, String queue, int n, int concurrency) {
        AtomicLong done = new AtomicLong();
        long before = ferry.inspector().queue(queue).processedTotal();
        Worker worker = ferry.worker().queues(queue).concurrency(concurrency)
                .handle(Bench.TYPE, Bench.Noop.class, (payload, ctx) -> null)
                .listener(e -> {
                    if (e.kind() == TaskEvent.Kind.SUCCEEDED) {
                        done.incrementAndGet();
                    }
                })
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            // The listener first (no Redis traffic), then the stored total (a few calls at the end).
            while (done.get() < n) {
                check(deadline, queue, done.get(), n);
                LockSupport.parkNanos(1_000_000);
            }
            while (ferry.inspector().queue(queue).processedTotal() - before < n) {
                check(deadline, queue, done.get(), n);
                LockSupport.parkNanos(5_000_000);
            }
        } finally {
            worker.close();
        }
    }

    private static void check(long deadline, String queue, long done, int n) {
        if (System.nanoTime() > deadline) {
            throw new FerryException("drain of " + queue + " did not finish: " + done + " of " + n);
        }
    }

    private static String report(StatefulRedisConnection<String, String> conn, String phase, int tasks) {
        String commandstats = conn.sync().info("commandstats");
        String stats = conn.sync().info("stats");
        Map<String, Long> calls = new TreeMap<>();
        Matcher m = COMMAND.matcher(commandstats);
        long total = 0;
        while (m.find()) {
            String name = m.group(1);
            long n = Long.parseLong(m.group(2));
            if (name.equals("config|resetstat") || name.equals("info")) {
                continue; // the bench's own
            }
            calls.put(name, n);
            total += n;
        }
        StringBuilder perTask = new StringBuilder();
        for (var e : calls.entrySet()) {
            if (!perTask.isEmpty()) {
                perTask.append(", ");
            }
            perTask.append(String.format(Locale.ROOT, "\"%s\": %.4f", e.getKey(), e.getValue() / (double) tasks));
        }
        long in = field(NET_IN, stats);
        long out = field(NET_OUT, stats);
        return String.format(Locale.ROOT, "{\"phase\": \"%s\", \"tasks\": %d, \"commands_per_task\": %.3f, "
                        + "\"net_in_bytes_per_task\": %.0f, \"net_out_bytes_per_task\": %.0f, \"calls_per_task\": {%s}}",
                phase, tasks, total / (double) tasks, in / (double) tasks, out / (double) tasks, perTask);
    }

    private static String value(String[] args, int i, String field) {
        if (i >= args.length) {
            throw new InvalidInputException(field, "needs a value");
        }
        return args[i];
    }

    private static int number(String text, String field) {
        try {
            int n = Integer.parseInt(text.replace("_", "").replace(",", ""));
            if (n < 1) {
                throw new InvalidInputException(field, "must be at least 1, was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, "not a whole number: '" + text + "'");
        }
    }

    private static long field(Pattern p, String info) {
        Matcher m = p.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
