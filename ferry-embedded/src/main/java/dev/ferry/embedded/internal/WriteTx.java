package dev.ferry.embedded.internal;

import dev.ferry.TaskState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The state of one write transaction of the {@link Writer}: the write connection's prepared
 * statements, broker-now for the operation being run, and what the transaction changed besides
 * rows — queue counter deltas, the fencing-token counter and queues to wake. Deltas are summed in
 * memory and written once per queue at commit, instead of one counter update per task.
 */
final class WriteTx {
    private final Connection connection;
    private final Clock clock;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private final Map<String, QueueDelta> deltas = new LinkedHashMap<>();
    private final Set<String> wakes = new LinkedHashSet<>();
    private Instant now;
    private long nowMillis;
    private long token;
    private boolean tokenLoaded;

    WriteTx(Connection connection, Clock clock) {
        this.connection = connection;
        this.clock = clock;
    }

    /** Forgets everything of a previous (committed or rolled back) transaction. */
    void reset() {
        deltas.clear();
        wakes.clear();
        tokenLoaded = false;
    }

    /** After a failed operation: no half-built JDBC batch may leak into the next transaction. */
    void discardBatches() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.clearBatch();
            } catch (SQLException ignored) {
                // A statement that cannot even clear its batch is closed with the connection.
            }
        }
    }

    /** Reads the clock: each operation of a batch sees the time it runs at. */
    void startOperation() {
        now = clock.instant();
        nowMillis = now.toEpochMilli();
    }

    Instant now() {
        return now;
    }

    long nowMillis() {
        return nowMillis;
    }

    /** A prepared statement of the write connection, prepared once and reused. */
    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        } else {
            ps.clearParameters();
        }
        return ps;
    }

    /** A fencing token never handed out before, by any process sharing the file. */
    long nextToken() throws SQLException {
        if (!tokenLoaded) {
            try (ResultSet rs = statement(Sql.TOKEN_GET).executeQuery()) {
                token = rs.next() ? rs.getLong(1) : 0L;
            }
            tokenLoaded = true;
        }
        return ++token;
    }

    void wake(String queue) {
        wakes.add(queue);
    }

    Set<String> wakes() {
        return wakes;
    }

    QueueDelta queue(String queue) {
        return deltas.computeIfAbsent(queue, q -> new QueueDelta());
    }

    void move(String queue, TaskState from, TaskState to) {
        QueueDelta d = queue(queue);
        d.counts[from.ordinal()]--;
        d.counts[to.ordinal()]++;
    }

    /** Writes the counter deltas and the token counter; the last step before commit. */
    void flush() throws SQLException {
        if (tokenLoaded) {
            PreparedStatement ps = statement(Sql.TOKEN_SET);
            ps.setLong(1, token);
            ps.executeUpdate();
        }
        if (deltas.isEmpty()) {
            return;
        }
        PreparedStatement ps = statement(Sql.QUEUE_ADD);
        for (Map.Entry<String, QueueDelta> e : deltas.entrySet()) {
            QueueDelta d = e.getValue();
            int i = 1;
            ps.setString(i++, e.getKey());
            for (TaskState state : Sql.COUNT_COLUMNS) {
                ps.setLong(i++, d.counts[state.ordinal()]);
            }
            ps.setLong(i++, d.processed);
            ps.setLong(i++, d.failed);
            ps.setLong(i++, d.dead);
            ps.setLong(i, d.poisoned);
            ps.addBatch();
        }
        ps.executeBatch();
    }

    /** Closes the cached statements (the connection is closed by the writer). */
    void close() {
        statements.values().forEach(Connections::closeQuietly);
        statements.clear();
    }

    /** Changes to one queue's row in {@code ferry_queue} within this transaction. */
    static final class QueueDelta {
        /** Per state, indexed by {@link TaskState#ordinal()}. */
        final long[] counts = new long[TaskState.values().length];
        long processed;
        long failed;
        long dead;
        long poisoned;
    }
}
