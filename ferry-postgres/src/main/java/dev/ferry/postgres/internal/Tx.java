package dev.ferry.postgres.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One transaction of the broker: its connection, its broker time (only with a test clock), the
 * statements it prepared, and what it changed that must be recorded at its end: per-queue stat
 * deltas and the queues to wake. {@link #finish()} writes both in one statement.
 */
public final class Tx implements AutoCloseable {
    private final Connection connection;
    private final Sql sql;
    private final Instant now;
    private final String channel;
    private final List<Stmt> statements = new ArrayList<>();
    private final TreeMap<String, long[]> deltas = new TreeMap<>();
    private final Set<String> wake = new LinkedHashSet<>();
    private final Set<String> wakeHere = new LinkedHashSet<>();
    private final boolean ownsCommit;
    private boolean committed;

    /** Indexes into a queue's delta array, in the order record_stats_and_wake.sql takes them. */
    public static final int COMPLETED = 0;
    public static final int DEAD = 1;
    public static final int CANCELLED = 2;
    public static final int PROCESSED = 3;
    public static final int FAILED = 4;
    public static final int DEAD_TOTAL = 5;
    public static final int POISONED = 6;
    private static final String[] DELTA_PARAMS =
            {"completed", "dead", "cancelled", "processed", "failed", "dead_total", "poisoned"};

    /**
     * @param now     broker time for every statement (test clock), or null for the database's now()
     * @param channel the NOTIFY channel, or null when notify is off
     * @param ownsCommit true for the broker's own transactions, which its last statement may commit
     *                   ({@link #lastStmt}); false on the application's connection (transactional enqueue)
     */
    public Tx(Connection connection, Sql sql, Instant now, String channel, boolean ownsCommit) {
        this.connection = connection;
        this.sql = sql;
        this.now = now;
        this.channel = channel;
        this.ownsCommit = ownsCommit;
    }

    /** True when the transaction's last statement may carry its COMMIT ({@link #lastStmt}). */
    public boolean ownsCommit() {
        return ownsCommit;
    }

    /**
     * The statement that ends the transaction: with {@link #ownsCommit()}, the named statement
     * followed by {@code COMMIT} in the same round trip (run it with {@link Stmt#execute(Stmt.RowReader)});
     * nothing may be written after it. It must record its own stats and send its own
     * notifications: {@link #finishAndCommit()} then has nothing left to do.
     */
    public Stmt lastStmt(String name) throws SQLException {
        if (!ownsCommit) {
            return stmt(name);
        }
        if (committed) {
            throw new IllegalStateException("sql/" + name + ".sql after the transaction's last statement");
        }
        committed = true;
        return stmt(name + Sql.COMMIT_SUFFIX);
    }

    /** The NOTIFY channel, or null when notify is off. */
    public String channel() {
        return channel;
    }

    /** Prepares the named statement; closed with this transaction. */
    public Stmt stmt(String name) throws SQLException {
        Stmt s = new Stmt(connection, sql.get(name));
        statements.add(s);
        if (sql.testClock() && s.has("now")) {
            s.instant("now", now);
        }
        return s;
    }

    /** Adds {@code n} to one figure of a queue's stats (negative to take away). */
    public void count(String queue, int figure, long n) {
        deltas.computeIfAbsent(queue, q -> new long[DELTA_PARAMS.length])[figure] += n;
    }

    /** Counts a task leaving or entering a finished state: completed, dead, cancelled. */
    public void countFinished(String queue, String state, long n) {
        switch (state) {
            case "COMPLETED" -> count(queue, COMPLETED, n);
            case "DEAD" -> count(queue, DEAD, n);
            case "CANCELLED" -> count(queue, CANCELLED, n);
            default -> {
                // unfinished states are counted from the hot table itself
            }
        }
    }

    /** Wakes idle workers of the queue when this transaction commits. */
    public void wake(String queue) {
        wake.add(queue);
    }

    /**
     * Wakes this process's idle workers of the queue after the commit; the transaction's own
     * statement already sent the NOTIFY for other processes.
     */
    public void wakeNotified(String queue) {
        wakeHere.add(queue);
    }

    /** The queues this transaction wakes in this process. */
    public Set<String> woken() {
        if (wakeHere.isEmpty()) {
            return wake;
        }
        Set<String> all = new LinkedHashSet<>(wake);
        all.addAll(wakeHere);
        return all;
    }

    /** Writes the stat deltas and sends the wake-ups; the last statement before commit. */
    public void finish() throws SQLException {
        if (committed) {
            throw new IllegalStateException("finish after the transaction's last statement");
        }
        Stmt s = finishing(false);
        if (s != null) {
            try (ResultSet rs = s.query()) {
                rs.next();
            }
        }
    }

    /**
     * Writes the stat deltas, sends the wake-ups and commits. When there is something to write,
     * the statement and the {@code COMMIT} travel together: one round trip instead of two.
     */
    public void finishAndCommit() throws SQLException {
        if (committed) {
            if (!nothingToFinish()) {
                throw new IllegalStateException("stats or wake-ups recorded after the transaction's last statement");
            }
            connection.commit(); // the server committed already: this only syncs the driver's state
            return;
        }
        Stmt s = finishing(true);
        if (s == null) {
            connection.commit();
        } else {
            s.execute();
            // pgjdbc saw the server leave the transaction: this only syncs its state (no round trip).
            connection.commit();
        }
    }

    /** True when {@link #finish()} has nothing to write: the transaction changed no stats and wakes nobody. */
    public boolean nothingToFinish() {
        return deltas.isEmpty() && (channel == null || wake.isEmpty());
    }

    private Stmt finishing(boolean commit) throws SQLException {
        if (nothingToFinish()) {
            return null;
        }
        Stmt s = stmt(commit ? "record_stats_and_wake_commit" : "record_stats_and_wake");
        List<String> queues = new ArrayList<>(deltas.keySet());
        s.textArray("queues", queues);
        for (int f = 0; f < DELTA_PARAMS.length; f++) {
            List<Long> column = new ArrayList<>(queues.size());
            for (Map.Entry<String, long[]> e : deltas.entrySet()) {
                column.add(e.getValue()[f]);
            }
            s.int8Array(DELTA_PARAMS[f], column);
        }
        s.text("channel", channel == null ? "" : channel);
        s.textArray("wake", channel != null && !wake.isEmpty() ? new ArrayList<>(wake) : List.of());
        return s;
    }

    @Override
    public void close() {
        for (Stmt s : statements) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // the connection is being returned or is broken: nothing to do for one statement
            }
        }
        statements.clear();
    }
}
