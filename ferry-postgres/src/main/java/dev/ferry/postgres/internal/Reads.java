package dev.ferry.postgres.internal;

import dev.ferry.InvalidInputException;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.TaskPage;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Inspection: get, list, stats, and the coordination reads. */
public final class Reads {
    private Reads() {
    }

    public static Optional<TaskInfo> get(Tx tx, String id) throws SQLException {
        try (ResultSet rs = tx.stmt("get").text("id", id).query()) {
            return rs.next() ? Optional.of(Rows.task(rs)) : Optional.empty();
        }
    }

    public static TaskPage list(Tx tx, ListRequest request) throws SQLException {
        if (request.state() == null) {
            throw new InvalidInputException("state", "must not be null");
        }
        int limit = Math.max(0, request.limit());
        int offset = Math.max(0, request.offset());
        if (limit == 0) {
            return new TaskPage(List.of(), false);
        }
        String statement = switch (request.state()) {
            case PENDING, WAITING -> "list_pending";
            case SCHEDULED, RETRYING -> "list_scheduled";
            case ACTIVE -> "list_active";
            case COMPLETED, DEAD, CANCELLED -> "list_finished";
        };
        List<TaskInfo> page = new ArrayList<>(limit);
        boolean more = false;
        Stmt s = tx.stmt(statement).text("state", request.state().name()).text("queue", request.queue())
                .int4("limit", limit + 1).int4("offset", offset);
        try (ResultSet rs = s.query()) {
            while (rs.next()) {
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(Rows.task(rs));
            }
        }
        return new TaskPage(page, more);
    }

    public static List<QueueStats> stats(Tx tx, List<String> queues) throws SQLException {
        Map<String, QueueStats> found = new HashMap<>();
        List<QueueStats> all = new ArrayList<>();
        try (ResultSet rs = tx.stmt("stats").textArray("queues", queues).query()) {
            while (rs.next()) {
                EnumMap<TaskState, Long> counts = new EnumMap<>(TaskState.class);
                counts.put(TaskState.SCHEDULED, rs.getLong("scheduled"));
                counts.put(TaskState.PENDING, rs.getLong("pending"));
                counts.put(TaskState.ACTIVE, rs.getLong("active"));
                counts.put(TaskState.RETRYING, rs.getLong("retrying"));
                counts.put(TaskState.WAITING, rs.getLong("waiting"));
                counts.put(TaskState.COMPLETED, rs.getLong("completed"));
                counts.put(TaskState.DEAD, rs.getLong("dead"));
                counts.put(TaskState.CANCELLED, rs.getLong("cancelled"));
                QueueStats q = new QueueStats(rs.getString("name"), counts, rs.getBoolean("paused"),
                        rs.getLong("processed_total"), rs.getLong("failed_total"), rs.getLong("dead_total"),
                        rs.getLong("poisoned_total"), Rows.instant(rs, "oldest_pending"));
                found.put(q.queue(), q);
                all.add(q);
            }
        }
        if (queues.isEmpty()) {
            return all;
        }
        List<QueueStats> out = new ArrayList<>();
        for (String name : new TreeSet<>(queues)) {
            out.add(found.getOrDefault(name, new QueueStats(name, Map.of(), false, 0, 0, 0, 0, null)));
        }
        return out;
    }

    public static List<WorkerInfo> workers(Tx tx) throws SQLException {
        List<WorkerInfo> out = new ArrayList<>();
        try (ResultSet rs = tx.stmt("workers").query()) {
            while (rs.next()) {
                Array queues = rs.getArray("queues");
                List<String> names = List.of((String[]) queues.getArray());
                out.add(new WorkerInfo(rs.getString("worker_id"), rs.getString("host"), rs.getLong("pid"), names,
                        rs.getInt("concurrency"), rs.getInt("busy"), Rows.instant(rs, "started_at"),
                        Rows.instant(rs, "last_heartbeat")));
            }
        }
        return out;
    }

    public static Optional<String> idempotency(Tx tx, String key) throws SQLException {
        try (ResultSet rs = tx.stmt("idempotency_get").text("key", key).query()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }
}
