package dev.ferry.postgres.internal;

import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.Lease;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Claim: one {@code claim.sql} statement per queue, in the requested order, until {@code max}
 * tasks are taken.
 *
 * <p>A claim of ONE queue (what a worker with one queue sends every round) runs as a single
 * statement in auto-commit mode: one round trip, no separate {@code COMMIT}. A claim of several
 * queues runs in one transaction, so a failure half-way leaves none of them leased.
 *
 * <p>A claim merges due-but-unpromoted tasks into claim order from a window of the
 * {@value #DUE_WINDOW} earliest due ones, which keeps every claim's work bounded. When the window
 * is full, due tasks beyond it could outrank the ones in it; the statement then takes nothing and
 * says so, and the queue's due tasks are promoted (at most {@value #PROMOTE_LIMIT}) before it is
 * claimed again, in a transaction (as the embedded broker does), so claim order stays exact.
 */
public final class Claims {
    /** Due tasks a claim merges into claim order; beyond this many, the queue is promoted first. */
    static final int DUE_WINDOW = 1_000;
    /** Due tasks promoted per queue by such a claim, at most. */
    static final int PROMOTE_LIMIT = 20_000;

    private Claims() {
    }

    /** A task taken, with the position (fair position or run-at) it was claimed at. */
    private record Row(int priority, Instant position, long seq, ClaimedTask task) {
    }

    private static final Comparator<Row> CLAIM_ORDER = Comparator.comparingInt(Row::priority)
            .thenComparing(Row::position).thenComparingLong(Row::seq);

    /** The distinct queues of the request, in its order. */
    public static List<String> queues(ClaimRequest request) {
        return new ArrayList<>(new LinkedHashSet<>(request.queues()));
    }

    /**
     * Claims from one queue with the window guard on: the tasks taken in claim order, or null
     * when the due window was full and nothing was taken (then use {@link #claimAfterPromoting}).
     * One statement: safe in auto-commit mode.
     */
    public static List<ClaimedTask> claimGuarded(Tx tx, ClaimRequest request, String queue, int max)
            throws SQLException {
        return claimQueue(tx, request, queue, max, true);
    }

    /** Promotes the queue's due tasks, then claims from it (in one transaction). */
    public static List<ClaimedTask> claimAfterPromoting(Tx tx, ClaimRequest request, String queue, int max)
            throws SQLException {
        tx.stmt("promote_queue").text("queue", queue).int4("limit", PROMOTE_LIMIT).update();
        return claimQueue(tx, request, queue, max, false);
    }

    /** Claims from every queue of the request in order, in one transaction. */
    public static List<ClaimedTask> claim(Tx tx, ClaimRequest request) throws SQLException {
        List<ClaimedTask> claimed = new ArrayList<>();
        for (String queue : queues(request)) {
            int wanted = request.max() - claimed.size();
            if (wanted <= 0) {
                break;
            }
            List<ClaimedTask> taken = claimGuarded(tx, request, queue, wanted);
            if (taken == null) {
                taken = claimAfterPromoting(tx, request, queue, wanted);
            }
            claimed.addAll(taken);
        }
        return claimed;
    }

    private static List<ClaimedTask> claimQueue(Tx tx, ClaimRequest request, String queue, int wanted, boolean guard)
            throws SQLException {
        Stmt s = tx.stmt("claim").text("queue", queue).int4("max", wanted).int4("window", DUE_WINDOW + 1)
                .bool("guard", guard).micros("lease_us", request.lease()).text("worker", request.workerId());
        List<Row> rows = new ArrayList<>(wanted);
        try (ResultSet rs = s.query()) {
            while (rs.next()) {
                if (rs.getBoolean("window_full")) {
                    return null;
                }
                ClaimedTask task = new ClaimedTask(
                        new Lease(rs.getString("id"), rs.getLong("lease_token")),
                        queue,
                        rs.getString("type"),
                        rs.getString("payload"),
                        rs.getInt("priority"),
                        rs.getInt("attempt"),
                        rs.getInt("max_attempts"),
                        Micros.duration(rs.getLong("timeout_us")),
                        Rows.instant(rs, "enqueued_at"),
                        Rows.instant(rs, "lease_expires_at"),
                        Json.headers(rs.getString("headers")));
                rows.add(new Row(task.priority(), Rows.instant(rs, "position"), rs.getLong("seq"), task));
            }
        }
        rows.sort(CLAIM_ORDER);
        List<ClaimedTask> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(r.task);
        }
        return out;
    }
}
