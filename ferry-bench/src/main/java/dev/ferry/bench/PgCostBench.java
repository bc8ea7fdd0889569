package dev.ferry.bench;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.FerryException;
import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import dev.ferry.TaskEvent;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The PostgreSQL broker's cost model, counted by the server: for each phase of {@link Bench}
 * (enqueue one by one, enqueue in batches of {@value Bench#BATCH}, drain with {@code concurrency}
 * slots), {@code pg_stat_statements_reset()} and the database's commit counter before it, and
 * after it the statements executed (by query text, with the rows they touched) and the
 * transactions committed, divided by the tasks of the phase. Everything the broker sends counts,
 * the worker's background duties included.
 * <pre>
 * java -cp ... dev.ferry.bench.PgCostBench --broker postgresql://user@host:port/db [--tasks N] [--concurrency N]
 * </pre>
 * Needs {@code pg_stat_statements} loaded ({@code shared_preload_libraries}) and resets its
 * statistics: use a server of your own. Works in a schema of its own and drops it. Prints one JSON
 * object per phase.
 */
public final class PgCostBench {
    private PgCostBench() {
    }

    public static void main(String[] args) throws SQLException {
        String broker = null;
        int tasks = 10_000;
        int concurrency = 50;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--broker" -> broker = value(args, ++i, "broker");
                case "--tasks" -> tasks = number(value(args, ++i, "tasks"), "tasks");
                case "--concurrency" -> concurrency = number(value(args, ++i, "concurrency"), "concurrency");
                default -> throw new InvalidInputException("arguments", "unknown option '" + args[i] + "'");
            }
        }
        if (broker == null || !broker.startsWith("postgresql://") || broker.contains("?")) {
            throw new InvalidInputException("broker", "a postgresql://user@host:port/db URL without options is required");
        }
        String schema = "cost_" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        String rest = broker.substring("postgresql://".length());
        String user = rest.contains("@") ? rest.substring(0, rest.indexOf('@')) : "postgres";
        String jdbc = "jdbc:postgresql://" + rest.substring(rest.indexOf('@') + 1) + "?user=" + user;
        try (Connection admin = DriverManager.getConnection(jdbc)) {
            execute(admin, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            try (Ferry ferry = Ferry.open(broker + "?schema=" + schema)) {
                Client producer = ferry.client();
                enqueueBatched(producer, "warm", 2_000);
                drain(ferry, "warm", 2_000, concurrency);

                long commits = reset(admin);
                for (int i = 0; i < tasks; i++) {
                    producer.enqueue(Task.of(Bench.TYPE, new Bench.Noop("bench", i)).queue("one"));
                }
                System.out.println(report(admin, "enqueue one by one", tasks, commits));
                ferry.inspector().purge("one", TaskState.PENDING);

                commits = reset(admin);
                enqueueBatched(producer, "batch", tasks);
                System.out.println(report(admin, "enqueue in batches of " + Bench.BATCH, tasks, commits));
                ferry.inspector().purge("batch", TaskState.PENDING);

                enqueueBatched(producer, "drain", tasks);
                commits = reset(admin);
                drain(ferry, "drain", tasks, concurrency);
                System.out.println(report(admin, "drain, " + concurrency + " slots", tasks, commits));
            } finally {
                execute(admin, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /** Resets the statement statistics; returns the database's commit count so far. */
    private static long reset(Connection admin) throws SQLException {
        execute(admin, "SELECT pg_stat_statements_reset()");
        return commits(admin);
    }

    private static long commits(Connection admin) throws SQLException {
        // pg_stat_database is a snapshot per transaction: clear it so the count is current.
        execute(admin, "SELECT pg_stat_clear_snapshot()");
        try (Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String report(Connection admin, String phase, int tasks, long commitsBefore) throws SQLException {
        // The server sends its statistics at most every ~0.5 s: wait for them to arrive.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2500));
        long commits = commits(admin) - commitsBefore;
        StringBuilder rows = new StringBuilder();
        double total = 0;
        try (Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT calls, rows, regexp_replace(left(query, 70), '\\s+', ' ', 'g') AS q
                        FROM pg_stat_statements
                        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND query !~* 'pg_stat_statements|pg_stat_database|pg_stat_clear_snapshot'
                        ORDER BY calls DESC""")) {
            while (rs.next()) {
                double perTask = rs.getLong(1) / (double) tasks;
                total += perTask;
                if (perTask < 0.001) {
                    continue;
                }
                if (!rows.isEmpty()) {
                    rows.append(", ");
                }
                rows.append(String.format(Locale.ROOT, "{\"calls_per_task\": %.4f, \"rows_per_call\": %.1f, \"query\": \"%s\"}",
                        perTask, rs.getLong(2) / (double) Math.max(1, rs.getLong(1)),
                        rs.getString(3).replace("\\", "\\\\").replace("\"", "\\\"")));
            }
        }
        return String.format(Locale.ROOT, "{\"phase\": \"%s\", \"tasks\": %d, \"statements_per_task\": %.3f, "
                        + "\"commits_per_task\": %.4f, \"statements\": [%s]}",
                phase, tasks, total, commits / (double) tasks, rows);
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

    private static void drain(Ferry ferry, String queue, int n, int concurrency) {
        AtomicLong done = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        Worker worker = ferry.worker().queues(queue).concurrency(concurrency)
                .handle(Bench.TYPE, Bench.Noop.class, (payload, ctx) -> null)
                .listener(e -> {
                    if (e.kind() == TaskEvent.Kind.SUCCEEDED) {
                        done.incrementAndGet();
                    }
                })
                .start();
        try {
            while (done.get() < n || ferry.inspector().queue(queue).processedTotal() < n) {
                if (System.nanoTime() > deadline) {
                    throw new FerryException("drain of " + queue + " did not finish: " + done.get() + " of " + n);
                }
                // the listener first (no database traffic), then a few reads of the stored total
                LockSupport.parkNanos(done.get() < n ? 1_000_000 : 20_000_000);
            }
        } finally {
            worker.close();
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
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
}
