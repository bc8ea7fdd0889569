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
 * Claim: one {@code claim.sql} statement per queue, in the requested order, all in one
 * transaction, until {@code max} tasks are taken.
 *
 * <p>A claim merges due-but-unpromoted tasks into claim order from a window of the
 * {@value #DUE_WINDOW} earliest due ones, which keeps every claim's work bounded. When the window
 * is full, due tasks beyond it could outrank the ones taken; the claim then stops with
 * {@link PromoteFirst}, the caller rolls back, and the retry promotes that queue's due tasks
 * before claiming (as the embedded broker does), so claim order stays exact.
 */
public final class Claims {
    /** Due tasks a claim merges into claim order; beyond this many, the queue is promoted first. */
    static final int DUE_WINDOW = 1_000;
    /** Due tasks promoted per queue by such a claim, at most. */
    static final int PROMOTE_LIMIT = 20_000;

    private Claims() {
    }

    /** Thrown inside the claim transaction: roll back, then claim again promoting {@link #queue} first. */
    public static final class PromoteFirst extends RuntimeException {
        private final String queue;

        PromoteFirst(String queue) {
            super("promote " + queue + " first", null, false, false);
            this.queue = queue;
        }

        public String queue() {
            return queue;
        }
    }

    private record Row(int priority, Instant runAt, long seq, ClaimedTask task) {
    }

    private static final Comparator<Row> CLAIM_ORDER = Comparator.comparingInt(Row::priority)
            .thenComparing(Row::runAt).thenComparingLong(Row::seq);

    public static List<ClaimedTask> claim(Tx tx, ClaimRequest request, Set<String> promoteFirst) throws SQLException {
        List<ClaimedTask> claimed = new ArrayList<>();
        for (String queue : new LinkedHashSet<>(request.queues())) {
            int wanted = request.max() - claimed.size();
            if (wanted <= 0) {
                break;
            }
            if (promoteFirst.contains(queue)) {
                tx.stmt("promote_queue").text("queue", queue).int4("limit", PROMOTE_LIMIT).update();
            }
            Stmt s = tx.stmt("claim").text("queue", queue).int4("max", wanted).int4("window", DUE_WINDOW + 1)
                    .micros("lease_us", request.lease()).text("worker", request.workerId());
            List<Row> rows = new ArrayList<>(wanted);
            long dueSeen = 0;
            try (ResultSet rs = s.query()) {
                while (rs.next()) {
                    dueSeen = rs.getLong("due_seen");
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
                    rows.add(new Row(task.priority(), Rows.instant(rs, "run_at"), rs.getLong("seq"), task));
                }
            }
            if (dueSeen > DUE_WINDOW && !promoteFirst.contains(queue)) {
                throw new PromoteFirst(queue);
            }
            rows.sort(CLAIM_ORDER);
            for (Row r : rows) {
                claimed.add(r.task);
            }
        }
        return claimed;
    }
}
