package dev.ferry.embedded.internal;

import dev.ferry.DeadReason;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.TaskPage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** The read operations of the SPI, run on a read connection against a committed snapshot. */
final class TaskReads {
    private TaskReads() {
    }

    static Optional<TaskInfo> get(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Sql.TASK_GET)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(task(rs)) : Optional.empty();
            }
        }
    }

    static TaskPage list(Connection c, ListRequest request) throws SQLException {
        boolean byQueue = request.queue() != null;
        try (PreparedStatement ps = c.prepareStatement(Sql.list(request.state(), byQueue))) {
            // One row more than the page tells whether another page follows.
            ps.setInt(1, request.limit() + 1);
            ps.setInt(2, Math.max(0, request.offset()));
            if (byQueue) {
                ps.setString(3, request.queue());
            }
            List<TaskInfo> tasks = new ArrayList<>();
            boolean more = false;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (tasks.size() == request.limit()) {
                        more = true;
                        break;
                    }
                    tasks.add(task(rs));
                }
            }
            return new TaskPage(tasks, more);
        }
    }

    static List<QueueStats> stats(Connection c, List<String> queues) throws SQLException {
        List<QueueStats> out = new ArrayList<>();
        if (queues.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_ROW_ALL);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(queueStats(c, rs));
                }
            }
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_ROW_ONE)) {
            for (String queue : new TreeSet<>(queues)) {
                ps.setString(1, queue);
                try (ResultSet rs = ps.executeQuery()) {
                    // A named queue nobody used yet exists for the caller, with nothing in it.
                    out.add(rs.next() ? queueStats(c, rs)
                            : new QueueStats(queue, Map.of(), false, 0, 0, 0, 0, null));
                }
            }
        }
        return out;
    }

    private static QueueStats queueStats(Connection c, ResultSet rs) throws SQLException {
        String name = rs.getString(1);
        Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
        int column = 3;
        for (TaskState state : Sql.COUNT_COLUMNS) {
            counts.put(state, rs.getLong(column++));
        }
        Instant oldestPending = null;
        if (counts.get(TaskState.PENDING) > 0) {
            try (PreparedStatement ps = c.prepareStatement(Sql.OLDEST_PENDING)) {
                ps.setString(1, name);
                try (ResultSet o = ps.executeQuery()) {
                    if (o.next()) {
                        oldestPending = instant(o, 1);
                    }
                }
            }
        }
        return new QueueStats(name, counts, rs.getInt(2) != 0, rs.getLong(11), rs.getLong(12), rs.getLong(13),
                rs.getLong(14), oldestPending);
    }

    static List<WorkerInfo> workers(Connection c, long nowMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Sql.WORKERS_ALIVE)) {
            ps.setLong(1, nowMillis - TaskWrites.WORKER_TTL_MILLIS);
            List<WorkerInfo> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new WorkerInfo(rs.getString(1), rs.getString(2), rs.getLong(3), Json.strings(rs.getString(4)),
                            rs.getInt(5), rs.getInt(6), instant(rs, 7), instant(rs, 8)));
                }
            }
            return out;
        }
    }

    static Optional<String> idempotency(Connection c, String key, long nowMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Sql.IDEMPOTENCY_GET)) {
            ps.setString(1, key);
            ps.setLong(2, nowMillis);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** A task from the columns of {@link Sql#TASK_COLUMNS}. */
    private static TaskInfo task(ResultSet rs) throws SQLException {
        TaskState state = TaskState.valueOf(rs.getString(6));
        String deadReason = rs.getString(23);
        return new TaskInfo(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getInt(5),
                state,
                rs.getInt(7),
                rs.getInt(8),
                Duration.ofMillis(rs.getLong(9)),
                instant(rs, 10),
                instant(rs, 11),
                instant(rs, 12),
                instant(rs, 13),
                instant(rs, 14),
                state == TaskState.ACTIVE ? instant(rs, 15) : null,
                rs.getString(16),
                rs.getString(17),
                rs.getString(18),
                rs.getString(19),
                Json.errors(rs.getString(20)),
                rs.getInt(21),
                rs.getInt(22) != 0,
                deadReason == null ? null : DeadReason.valueOf(deadReason),
                Json.headers(rs.getString(24)),
                Duration.ofMillis(rs.getLong(25)),
                Duration.ofMillis(rs.getLong(26)));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }
}
