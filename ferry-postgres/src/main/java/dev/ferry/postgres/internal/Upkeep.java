package dev.ferry.postgres.internal;

import dev.ferry.spi.PromoteResponse;
import dev.ferry.spi.PruneResponse;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The background duties' operations: lease recovery, promotion and pruning. Each takes its rows
 * with {@code FOR UPDATE SKIP LOCKED}, so the duties of many workers run side by side without
 * waiting for each other or for the tasks' owners.
 */
public final class Upkeep {
    private Upkeep() {
    }

    public static RecoverResponse recover(Tx tx, RecoverRequest request) throws SQLException {
        int requeued = 0;
        int dead = 0;
        Stmt s = tx.stmt("recover_expired").int4("limit", request.limit())
                .int4("max_expirations", request.maxLeaseExpirations());
        try (ResultSet rs = s.query()) {
            while (rs.next()) {
                String queue = rs.getString(1);
                String outcome = rs.getString(2);
                tx.count(queue, Tx.FAILED, 1);
                if (outcome.equals("PENDING")) {
                    requeued++;
                    tx.wake(queue);
                } else {
                    dead++;
                    tx.count(queue, Tx.DEAD, 1);
                    tx.count(queue, Tx.DEAD_TOTAL, 1);
                    if (outcome.equals("POISON")) {
                        tx.count(queue, Tx.POISONED, 1);
                    }
                }
            }
        }
        return new RecoverResponse(requeued, dead);
    }

    public static PromoteResponse promote(Tx tx, int limit) throws SQLException {
        int promoted = 0;
        try (ResultSet rs = tx.stmt("promote").int4("limit", limit).query()) {
            while (rs.next()) {
                promoted++;
                tx.wake(rs.getString(1));
            }
        }
        return new PromoteResponse(promoted);
    }

    /**
     * Analyzes the hot table when it has outgrown its statistics tenfold (sql/analyze_check.sql
     * says why: plans frozen on an empty table would scan a big one).
     *
     * @return true when it analyzed
     */
    public static boolean analyzeIfGrown(Tx tx) throws SQLException {
        try (ResultSet rs = tx.stmt("analyze_check").query()) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return false;
            }
        }
        tx.stmt("analyze_task").execute();
        return true;
    }

    public static PruneResponse prune(Tx tx, int limit) throws SQLException {
        int pruned = 0;
        try (ResultSet rs = tx.stmt("prune_tasks").int4("limit", limit).query()) {
            while (rs.next()) {
                pruned++;
                tx.countFinished(rs.getString(1), rs.getString(2), -1);
            }
        }
        try (ResultSet rs = tx.stmt("prune_records").query()) {
            rs.next();
        }
        return new PruneResponse(pruned);
    }
}
