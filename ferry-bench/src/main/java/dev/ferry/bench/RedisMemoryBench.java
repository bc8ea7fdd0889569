package dev.ferry.bench;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.FerryException;
import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import dev.ferry.TaskState;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redis memory per pending task of the Redis broker: {@code used_memory} from {@code INFO memory}
 * before and after enqueueing {@code tasks} tasks (batches of {@value Bench#BATCH}) to one queue,
 * divided by {@code tasks}; once per payload size. The payload is {@code {"data":"xxx…"}} padded to
 * exactly the given number of bytes of JSON. Each measurement uses its own key prefix and purges its
 * tasks afterwards.
 * <pre>
 * java -cp ... dev.ferry.bench.RedisMemoryBench --redis redis://127.0.0.1:6379/0 [--tasks N]
 *      [--payload-bytes N]...
 * </pre>
 * Run it against a Redis that nothing else writes to meanwhile (a private server is best): the
 * figure is a difference of the whole server's memory. Prints one JSON object per payload size.
 */
public final class RedisMemoryBench {
    private static final Pattern USED_MEMORY = Pattern.compile("(?m)^used_memory:(\\d+)");
    private static final Pattern LAZYFREE_PENDING = Pattern.compile("(?m)^lazyfree_pending_objects:(\\d+)");
    /** Bytes of {@code {"data":""}}: the payload's JSON without the padding. */
    private static final int ENVELOPE = 11;

    /** The padded payload. */
    public record Blob(String data) {
    }

    private RedisMemoryBench() {
    }

    public static void main(String[] args) {
        String redis = null;
        int tasks = 100_000;
        List<Integer> sizes = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--redis" -> redis = required(value, "redis");
                    case "--tasks" -> tasks = number(required(value, "tasks"), "tasks", 1, 10_000_000);
                    case "--payload-bytes" -> sizes.add(number(required(value, "payload-bytes"), "payload-bytes",
                            ENVELOPE, 1 << 20));
                    default -> throw new InvalidInputException("arguments", "unknown option '" + args[i] + "'");
                }
                i++;
            }
            if (redis == null) {
                throw new InvalidInputException("redis", "a Redis URL is required, for example redis://127.0.0.1:6379/0");
            }
        } catch (InvalidInputException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: RedisMemoryBench --redis URL [--tasks N] [--payload-bytes N]...");
            System.exit(2);
            return;
        }
        if (sizes.isEmpty()) {
            sizes.add(100);
        }
        for (int size : sizes) {
            System.out.println(measure(redis, tasks, size));
        }
    }

    /** One measurement; the result as a JSON object. */
    static String measure(String redisUrl, int tasks, int payloadBytes) {
        String prefix = "mem" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        String queue = "memory";
        String sep = redisUrl.contains("?") ? "&" : "?";
        RedisClient redis = RedisClient.create(RedisURI.create(redisUrl));
        try (StatefulRedisConnection<String, String> conn = redis.connect();
                Ferry ferry = Ferry.open(redisUrl + sep + "keyPrefix=" + prefix)) {
            Client client = ferry.client();
            Blob blob = new Blob("x".repeat(payloadBytes - ENVELOPE));
            // Loads the scripts and creates the queue's fixed keys, so they are not counted per task.
            enqueue(client, queue, blob, Bench.BATCH);
            ferry.inspector().purge(queue, TaskState.PENDING);

            long before = settledMemory(conn);
            long t0 = System.nanoTime();
            enqueue(client, queue, blob, tasks);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long after = settledMemory(conn);
            String breakdown = breakdown(conn, prefix);
            long pending = ferry.inspector().queue(queue).count(TaskState.PENDING);
            if (pending != tasks) {
                throw new FerryException("queue " + queue + " has " + pending + " pending tasks, expected " + tasks);
            }
            ferry.inspector().purge(queue, TaskState.PENDING);
            long purged = settledMemory(conn);
            return String.format(Locale.ROOT,
                    "{\"tasks\": %d, \"payload_bytes\": %d, \"used_memory_before\": %d, \"used_memory_after\": %d, "
                            + "\"bytes_per_task\": %.1f, \"used_memory_after_purge\": %d, \"enqueue_seconds\": %.2f, "
                            + "\"keys\": [%s]}",
                    tasks, payloadBytes, before, after, (after - before) / (double) tasks, purged, seconds, breakdown);
        } finally {
            redis.shutdown();
        }
    }

    /**
     * The broker's keys grouped by shape (segments that look like ids become {@code *}): how many,
     * their type and encoding, and {@code MEMORY USAGE} averaged over up to 50 of each.
     */
    private static String breakdown(StatefulRedisConnection<String, String> conn, String prefix) {
        var sync = conn.sync();
        java.util.Map<String, List<String>> byShape = new java.util.TreeMap<>();
        java.util.Map<String, Long> counts = new java.util.HashMap<>();
        io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
        io.lettuce.core.ScanArgs args = io.lettuce.core.ScanArgs.Builder.matches("*" + prefix + "*").limit(1000);
        do {
            io.lettuce.core.KeyScanCursor<String> page = sync.scan(cursor, args);
            for (String key : page.getKeys()) {
                String shape = key.replace(prefix, "{prefix}").replaceAll("[0-9A-Za-z_-]{16,}", "*");
                counts.merge(shape, 1L, Long::sum);
                List<String> sample = byShape.computeIfAbsent(shape, k -> new ArrayList<>());
                if (sample.size() < 50) {
                    sample.add(key);
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        StringBuilder sb = new StringBuilder();
        for (var e : byShape.entrySet()) {
            long bytes = 0;
            for (String key : e.getValue()) {
                Long usage = sync.memoryUsage(key);
                bytes += usage == null ? 0 : usage;
            }
            String first = e.getValue().get(0);
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(String.format(Locale.ROOT,
                    "{\"shape\": \"%s\", \"count\": %d, \"type\": \"%s\", \"encoding\": \"%s\", \"avg_memory_usage\": %.0f}",
                    e.getKey(), counts.get(e.getKey()), sync.type(first),
                    sync.objectEncoding(first), bytes / (double) e.getValue().size()));
        }
        return sb.toString();
    }

    private static void enqueue(Client client, String queue, Blob blob, int n) {
        List<Task> batch = new ArrayList<>(Bench.BATCH);
        for (int i = 0; i < n; i++) {
            batch.add(Task.of(Bench.TYPE, blob).queue(queue));
            if (batch.size() == Bench.BATCH || i == n - 1) {
                client.enqueueAll(batch);
                batch.clear();
            }
        }
    }

    /**
     * {@code used_memory} once the server is done freeing in the background (UNLINK and lazy
     * frees) and the figure held still for three reads 100 ms apart (at most 10 s).
     */
    private static long settledMemory(StatefulRedisConnection<String, String> conn) {
        long last = -1;
        int same = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String info = conn.sync().info("memory");
            long used = field(USED_MEMORY, info);
            Matcher lazy = LAZYFREE_PENDING.matcher(info);
            boolean freeing = lazy.find() && Long.parseLong(lazy.group(1)) > 0;
            same = !freeing && used == last ? same + 1 : 0;
            if (same >= 2 || System.nanoTime() > deadline) {
                return used;
            }
            last = used;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("interrupted", e);
            }
        }
    }

    private static long field(Pattern pattern, String info) {
        Matcher m = pattern.matcher(info);
        if (!m.find()) {
            throw new FerryException("INFO memory has no " + pattern.pattern() + " line");
        }
        return Long.parseLong(m.group(1));
    }

    private static String required(String value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "needs a value");
        }
        return value;
    }

    private static int number(String text, String field, int min, int max) {
        try {
            int n = Integer.parseInt(text.replace("_", "").replace(",", ""));
            if (n < min || n > max) {
                throw new InvalidInputException(field, "must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, "not a whole number: '" + text + "'");
        }
    }
}
