package dev.ferry.postgres.internal;

import dev.ferry.TaskState;
import dev.ferry.spi.AdminCommand;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The administrative commands, each one transaction. */
public final class Admin {
    private Admin() {
    }

    public static long run(Tx tx, AdminCommand command) throws SQLException {
        return switch (command) {
            case AdminCommand.Retry c -> backToPending(tx, tx.stmt("admin_retry").text("id", c.taskId()));
            case AdminCommand.ReplayDead c -> replay(tx, c.queue());
            case AdminCommand.Cancel c -> cancel(tx, c.taskId());
            case AdminCommand.Delete c -> delete(tx, tx.stmt("admin_delete").text("id", c.taskId()));
            case AdminCommand.Purge c -> purge(tx, c);
            case AdminCommand.Pause c -> rows(tx.stmt("admin_pause").text("queue", c.queue()));
            case AdminCommand.Resume c -> {
                long changed = rows(tx.stmt("admin_resume").text("queue", c.queue()));
                if (changed > 0) {
                    tx.wake(c.queue()); // its ready tasks can be claimed again
                }
                yield changed;
            }
        };
    }

    private static long rows(Stmt s) throws SQLException {
        long n = 0;
        try (ResultSet rs = s.query()) {
            while (rs.next()) {
                n++;
            }
        }
        return n;
    }

    /** Rows of (queue, former state): finished ones leave their finished count. */
    private static long backToPending(Tx tx, Stmt s) throws SQLException {
        long n = 0;
        try (ResultSet rs = s.query()) {
            while (rs.next()) {
                n++;
                tx.countFinished(rs.getString(1), rs.getString(2), -1);
                tx.wake(rs.getString(1));
            }
        }
        return n;
    }

    private static long replay(Tx tx, String queue) throws SQLException {
        long n = 0;
        try (ResultSet rs = tx.stmt("admin_replay_dead").text("queue", queue).query()) {
            while (rs.next()) {
                n++;
                tx.count(rs.getString(1), Tx.DEAD, -1);
                tx.wake(rs.getString(1));
            }
        }
        return n;
    }

    private static long cancel(Tx tx, String id) throws SQLException {
        long n = 0;
        try (ResultSet rs = tx.stmt("admin_cancel").text("id", id).query()) {
            while (rs.next()) {
                n++;
                if (rs.getString(2).equals("CANCELLED")) {
                    tx.count(rs.getString(1), Tx.CANCELLED, 1);
                }
            }
        }
        return n;
    }

    /** Rows of (queue, state) deleted. */
    private static long delete(Tx tx, Stmt s) throws SQLException {
        long n = 0;
        try (ResultSet rs = s.query()) {
            while (rs.next()) {
                n++;
                tx.countFinished(rs.getString(1), rs.getString(2), -1);
            }
        }
        return n;
    }

    private static long purge(Tx tx, AdminCommand.Purge c) throws SQLException {
        List<String> states = new ArrayList<>();
        for (TaskState s : c.states()) {
            if (s != TaskState.ACTIVE) {
                states.add(s.name());
            }
        }
        if (states.isEmpty()) {
            return 0;
        }
        long n = 0;
        try (ResultSet rs = tx.stmt("admin_purge").text("queue", c.queue()).textArray("states", states).query()) {
            while (rs.next()) {
                n++;
                tx.countFinished(c.queue(), rs.getString(1), -1);
            }
        }
        return n;
    }
}
