package dev.ferry.postgres.internal;

import dev.ferry.DeadReason;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Reads rows of the task tables into the SPI's value types. */
public final class Rows {
    private Rows() {
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** A row with the columns of get.sql. */
    public static TaskInfo task(ResultSet rs) throws SQLException {
        String deadReason = rs.getString("dead_reason");
        return new TaskInfo(
                rs.getString("id"),
                rs.getString("queue"),
                rs.getString("type"),
                rs.getString("payload"),
                rs.getInt("priority"),
                TaskState.valueOf(rs.getString("state")),
                rs.getInt("attempt"),
                rs.getInt("max_attempts"),
                Micros.duration(rs.getLong("timeout_us")),
                instant(rs, "run_at"),
                instant(rs, "enqueued_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                instant(rs, "expires_at"),
                instant(rs, "lease_expires_at"),
                rs.getString("worker_id"),
                rs.getString("unique_key"),
                rs.getString("progress"),
                rs.getString("result"),
                Json.errors(rs.getString("errors")),
                rs.getInt("lease_expirations"),
                rs.getBoolean("cancel_requested"),
                deadReason == null ? null : DeadReason.valueOf(deadReason),
                Json.headers(rs.getString("headers")),
                Micros.duration(rs.getLong("retention_us")),
                Micros.duration(rs.getLong("dead_retention_us")));
    }
}
