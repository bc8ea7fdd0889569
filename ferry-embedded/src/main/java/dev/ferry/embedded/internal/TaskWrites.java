package dev.ferry.embedded.internal;

import static dev.ferry.TaskState.ACTIVE;
import static dev.ferry.TaskState.CANCELLED;
import static dev.ferry.TaskState.COMPLETED;
import static dev.ferry.TaskState.DEAD;
import static dev.ferry.TaskState.PENDING;
import static dev.ferry.TaskState.RETRYING;
import static dev.ferry.TaskState.SCHEDULED;

import dev.ferry.DeadReason;
import dev.ferry.EnqueueResult;
import dev.ferry.TaskError;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckResponse;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimResponse;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueResponse;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.LeaderResponse;
import dev.ferry.spi.Lease;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.ProgressRequest;
import dev.ferry.spi.PromoteResponse;
import dev.ferry.spi.PruneResponse;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import dev.ferry.spi.ReleaseResponse;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The write operations of the SPI, each run by the {@link Writer} inside a group transaction.
 * Each method keeps the rules of {@code docs/spi.md} for its operation and records the state
 * changes it makes in the transaction's queue counters.
 */
final class TaskWrites {
    private TaskWrites() {
    }

    /** Heartbeats older than this are pruned and no longer listed. */
    static final long WORKER_TTL_MILLIS = 60_000;
    /**
     * Due-but-unpromoted tasks a claim merges into claim order by sorting them. Beyond this many
     * (nobody ran promote for a while), the claim promotes them first, so no claim sorts an
     * unbounded set.
     */
    static final int CLAIM_DUE_WINDOW = 1_000;
    /** Due tasks such a claim promotes per queue at most, bounding the work of one claim. */
    static final int CLAIM_PROMOTE_LIMIT = 10_000;

    // ---- enqueue -------------------------------------------------------------------------

    static EnqueueResponse enqueue(WriteTx tx, List<NewTask> tasks) throws SQLException {
        EnqueueResult[] results = new EnqueueResult[tasks.size()];
        PreparedStatement insert = tx.statement(Sql.TASK_INSERT);
        // Runs of tasks without a unique key or fair position go to SQLite as one JDBC batch;
        // ON CONFLICT (id) DO NOTHING makes a duplicate id an update count of 0. A task with a
        // unique key needs checks first, and a fair position depends on the pending tasks before
        // it, so the batch before such a task is flushed to keep "earlier tasks count".
        List<Integer> batched = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            NewTask task = tasks.get(i);
            boolean fair = placedFairly(tx, task);
            if (task.uniqueKey() == null && !fair) {
                bindInsert(tx, insert, task, null);
                insert.addBatch();
                batched.add(i);
            } else {
                flushInserts(tx, insert, tasks, batched, results);
                results[i] = task.uniqueKey() == null ? enqueueFair(tx, insert, task) : enqueueUnique(tx, insert, task);
            }
        }
        flushInserts(tx, insert, tasks, batched, results);
        return new EnqueueResponse(List.of(results));
    }

    private static void flushInserts(WriteTx tx, PreparedStatement insert, List<NewTask> tasks,
                                     List<Integer> batched, EnqueueResult[] results) throws SQLException {
        if (batched.isEmpty()) {
            return;
        }
        int[] counts = insert.executeBatch();
        for (int k = 0; k < counts.length; k++) {
            int i = batched.get(k);
            NewTask task = tasks.get(i);
            if (counts[k] > 0) {
                created(tx, task);
                results[i] = new EnqueueResult(task.id(), EnqueueResult.Status.CREATED);
            } else {
                results[i] = new EnqueueResult(task.id(), EnqueueResult.Status.DUPLICATE_ID);
            }
        }
        batched.clear();
    }

    private static EnqueueResult enqueueUnique(WriteTx tx, PreparedStatement insert, NewTask task)
            throws SQLException {
        if (exists(tx, task.id())) {
            return new EnqueueResult(task.id(), EnqueueResult.Status.DUPLICATE_ID);
        }
        PreparedStatement get = tx.statement(Sql.UNIQUE_GET);
        get.setString(1, task.uniqueKey());
        try (ResultSet rs = get.executeQuery()) {
            // A key row exists only while its holder is unfinished; its expiry is the uniqueFor bound.
            if (rs.next() && rs.getLong(2) > tx.nowMillis()) {
                return new EnqueueResult(rs.getString(1), EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
            }
        }
        bindInsert(tx, insert, task, placedFairly(tx, task) ? fairPosition(tx, task) : null);
        insert.executeUpdate();
        PreparedStatement take = tx.statement(Sql.UNIQUE_TAKE);
        take.setString(1, task.uniqueKey());
        take.setString(2, task.id());
        take.setLong(3, task.uniqueFor() == null ? Long.MAX_VALUE : plus(tx.nowMillis(), task.uniqueFor()));
        take.executeUpdate();
        created(tx, task);
        return new EnqueueResult(task.id(), EnqueueResult.Status.CREATED);
    }

    /** A tenanted task without a unique key that is pending at once: inserted alone, at its fair position. */
    private static EnqueueResult enqueueFair(WriteTx tx, PreparedStatement insert, NewTask task) throws SQLException {
        bindInsert(tx, insert, task, fairPosition(tx, task));
        if (insert.executeUpdate() == 0) {
            return new EnqueueResult(task.id(), EnqueueResult.Status.DUPLICATE_ID);
        }
        created(tx, task);
        return new EnqueueResult(task.id(), EnqueueResult.Status.CREATED);
    }

    /** Whether the task gets a fair position: it has a tenant and is stored PENDING. */
    private static boolean placedFairly(WriteTx tx, NewTask task) {
        return task.tenant() != null && !task.isDelayed(tx.now());
    }

    /**
     * The fair position of a tenanted task entering PENDING by enqueue ({@code docs/spi.md},
     * "Fair claim order"): {@code max(V, L + 1 ms)}, V the first position of its queue and
     * priority (now when none is pending), L the tenant's last one there. The writer is the only
     * one writing, so the tasks enqueued before it in this batch are already counted.
     */
    private static long fairPosition(WriteTx tx, NewTask task) throws SQLException {
        PreparedStatement ps = tx.statement(Sql.FAIR_BOUNDS);
        ps.setString(1, task.queue());
        ps.setInt(2, task.priority());
        ps.setString(3, task.tenant());
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            long head = Long.MAX_VALUE;
            for (int column = 1; column <= 2; column++) {
                long first = rs.getLong(column);
                if (!rs.wasNull()) {
                    head = Math.min(head, first);
                }
            }
            long position = head == Long.MAX_VALUE ? tx.nowMillis() : head;
            long last = rs.getLong(3);
            if (!rs.wasNull()) {
                position = Math.max(position, plusMillis(last, 1));
            }
            return position;
        }
    }

    /** Binds {@link Sql#TASK_INSERT}; {@code fairAt} is null for a task placed by its run-at. */
    private static void bindInsert(WriteTx tx, PreparedStatement ps, NewTask task, Long fairAt) throws SQLException {
        Instant now = tx.now();
        ps.setString(1, task.id());
        ps.setString(2, task.queue());
        ps.setString(3, task.type());
        ps.setString(4, task.payloadJson());
        ps.setInt(5, task.priority());
        ps.setString(6, (task.isDelayed(now) ? SCHEDULED : PENDING).name());
        ps.setInt(7, task.maxAttempts());
        ps.setLong(8, millis(task.timeout()));
        ps.setLong(9, task.eligibleAt(now).toEpochMilli());
        ps.setLong(10, tx.nowMillis());
        ps.setString(11, task.uniqueKey());
        ps.setString(12, Json.headers(task.headers()));
        ps.setLong(13, millis(task.retention()));
        ps.setLong(14, millis(task.deadRetention()));
        ps.setString(15, task.tenant());
        if (fairAt == null) {
            ps.setNull(16, Types.INTEGER);
        } else {
            ps.setLong(16, fairAt);
        }
    }

    private static void created(WriteTx tx, NewTask task) {
        TaskState state = task.isDelayed(tx.now()) ? SCHEDULED : PENDING;
        tx.queue(task.queue()).counts[state.ordinal()]++;
        tx.wake(task.queue());
    }

    private static boolean exists(WriteTx tx, String id) throws SQLException {
        PreparedStatement ps = tx.statement(Sql.TASK_EXISTS);
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    // ---- claim ---------------------------------------------------------------------------

    static ClaimResponse claim(WriteTx tx, ClaimRequest request) throws SQLException {
        List<ClaimedTask> claimed = new ArrayList<>();
        long now = tx.nowMillis();
        long leaseExpiresAt = plus(now, request.lease());
        for (String queue : new LinkedHashSet<>(request.queues())) {
            int wanted = request.max() - claimed.size();
            if (wanted <= 0) {
                break;
            }
            if (isPaused(tx, queue)) {
                continue;
            }
            PreparedStatement shape = tx.statement(Sql.CLAIM_SHAPE);
            shape.setString(1, queue);
            shape.setLong(2, now);
            shape.setInt(3, CLAIM_DUE_WINDOW + 1);
            long due;
            boolean fair;
            try (ResultSet rs = shape.executeQuery()) {
                rs.next();
                due = rs.getLong(1);
                fair = rs.getInt(2) != 0;
            }
            if (due > CLAIM_DUE_WINDOW) {
                promoteQueue(tx, queue, now, CLAIM_PROMOTE_LIMIT);
                due = 0;
            }
            // One fresh token per claim and queue: unique for every task it leases (a task is
            // leased at most once per claim), never handed out again.
            long token = tx.nextToken();
            // Tasks with a fair position make claim order a merge of two indexes; a queue without
            // them (every queue without tenants) walks the ready index alone, as cheap as before.
            if (due == 0) {
                claimPending(tx, fair ? Sql.CLAIM_PENDING_FAIR : Sql.CLAIM_PENDING, queue, wanted, token,
                        leaseExpiresAt, request.workerId(), claimed);
            } else {
                claimMerged(tx, fair ? Sql.READY_FAIR_OR_DUE_OF_QUEUE : Sql.READY_OR_DUE_OF_QUEUE, queue, wanted,
                        token, leaseExpiresAt, request.workerId(), claimed);
            }
        }
        return new ClaimResponse(claimed);
    }

    /**
     * Rows of a claim before sorting: the claim order key (the position is the fair position of a
     * task pending from enqueue with a tenant, else the run-at), then the task as handed over.
     */
    private record Claimed(int priority, long position, long seq, ClaimedTask task) {
    }

    private static final Comparator<Claimed> CLAIM_ORDER = Comparator.comparingInt(Claimed::priority)
            .thenComparingLong(Claimed::position).thenComparingLong(Claimed::seq);

    /** The common case, no due scheduled task: one UPDATE ... RETURNING takes them all. */
    private static void claimPending(WriteTx tx, String sql, String queue, int wanted, long token,
                                     long leaseExpiresAt, String workerId, List<ClaimedTask> out) throws SQLException {
        PreparedStatement ps = tx.statement(sql);
        ps.setString(1, queue);
        ps.setInt(2, wanted);
        ps.setLong(3, token);
        ps.setLong(4, leaseExpiresAt);
        ps.setString(5, workerId);
        ps.setLong(6, tx.nowMillis());
        List<Claimed> rows = new ArrayList<>(wanted);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(claimedRow(rs, queue, token, leaseExpiresAt, rs.getInt(7)));
            }
        }
        if (!rows.isEmpty()) {
            WriteTx.QueueDelta d = tx.queue(queue);
            d.counts[PENDING.ordinal()] -= rows.size();
            d.counts[ACTIVE.ordinal()] += rows.size();
            rows.sort(CLAIM_ORDER);
            rows.forEach(r -> out.add(r.task));
        }
    }

    /** Some due tasks wait unpromoted: merge them into claim order, update the chosen rows one by one. */
    private static void claimMerged(WriteTx tx, String sql, String queue, int wanted, long token,
                                    long leaseExpiresAt, String workerId, List<ClaimedTask> out) throws SQLException {
        PreparedStatement ready = tx.statement(sql);
        ready.setString(1, queue);
        ready.setLong(2, tx.nowMillis());
        ready.setInt(3, wanted);
        PreparedStatement update = tx.statement(Sql.CLAIM_ONE);
        int taken = 0;
        try (ResultSet rs = ready.executeQuery()) {
            while (rs.next()) {
                Claimed row = claimedRow(rs, queue, token, leaseExpiresAt, rs.getInt(7) + 1);
                out.add(row.task);
                tx.move(queue, TaskState.valueOf(rs.getString(12)), ACTIVE);
                update.setLong(1, token);
                update.setLong(2, leaseExpiresAt);
                update.setString(3, workerId);
                update.setLong(4, tx.nowMillis());
                update.setLong(5, row.seq);
                update.addBatch();
                taken++;
            }
        }
        if (taken > 0) {
            update.executeBatch();
        }
    }

    /** Columns: seq, id, type, payload, priority, position, attempt, max_attempts, timeout_ms, enqueued_at, headers. */
    private static Claimed claimedRow(ResultSet rs, String queue, long token, long leaseExpiresAt, int attempt)
            throws SQLException {
        long seq = rs.getLong(1);
        int priority = rs.getInt(5);
        long position = rs.getLong(6);
        ClaimedTask task = new ClaimedTask(
                new Lease(rs.getString(2), token),
                queue,
                rs.getString(3),
                rs.getString(4),
                priority,
                attempt,
                rs.getInt(8),
                Duration.ofMillis(rs.getLong(9)),
                Instant.ofEpochMilli(rs.getLong(10)),
                Instant.ofEpochMilli(leaseExpiresAt),
                Json.headers(rs.getString(11)));
        return new Claimed(priority, position, seq, task);
    }

    private static boolean isPaused(WriteTx tx, String queue) throws SQLException {
        PreparedStatement ps = tx.statement(Sql.QUEUE_PAUSED);
        ps.setString(1, queue);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getInt(1) != 0;
        }
    }

    /** Moves due scheduled/retrying tasks of one queue to pending; returns how many. */
    private static int promoteQueue(WriteTx tx, String queue, long now, int limit) throws SQLException {
        PreparedStatement due = tx.statement(Sql.DUE_OF_QUEUE);
        due.setString(1, queue);
        due.setLong(2, now);
        due.setInt(3, limit);
        PreparedStatement promote = tx.statement(Sql.PROMOTE_ONE);
        int promoted = 0;
        try (ResultSet rs = due.executeQuery()) {
            while (rs.next()) {
                promote.setLong(1, rs.getLong(1));
                promote.addBatch();
                tx.move(queue, TaskState.valueOf(rs.getString(2)), PENDING);
                promoted++;
            }
        }
        if (promoted > 0) {
            promote.executeBatch();
            tx.wake(queue);
        }
        return promoted;
    }

    // ---- fenced operations ---------------------------------------------------------------

    /** An active task under a valid lease, as a failure outcome needs it. */
    private record Fenced(long seq, String queue, String uniqueKey, String errors, long deadRetentionMillis) {
    }

    /** The task when the lease is valid (exists, active, same token, not expired), else empty. */
    private static Optional<Fenced> fence(WriteTx tx, Lease lease) throws SQLException {
        PreparedStatement ps = tx.statement(Sql.FENCE);
        ps.setString(1, lease.taskId());
        ps.setLong(2, lease.token());
        ps.setLong(3, tx.nowMillis());
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Fenced(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getLong(5)));
        }
    }

    /** Binds the fence parameters shared by the fenced statements (?2 id, ?3 token, ?4 now). */
    private static PreparedStatement fenced(WriteTx tx, String sql, Lease lease) throws SQLException {
        PreparedStatement ps = tx.statement(sql);
        ps.setString(2, lease.taskId());
        ps.setLong(3, lease.token());
        ps.setLong(4, tx.nowMillis());
        return ps;
    }

    static RenewResponse renew(WriteTx tx, RenewRequest request) throws SQLException {
        Set<String> lost = new HashSet<>();
        Set<String> cancel = new HashSet<>();
        long until = plus(tx.nowMillis(), request.lease());
        for (Lease lease : request.leases()) {
            PreparedStatement ps = fenced(tx, Sql.RENEW_FENCED, lease);
            ps.setLong(1, until);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    lost.add(lease.taskId());
                } else if (rs.getInt(1) != 0) {
                    cancel.add(lease.taskId());
                }
            }
        }
        return new RenewResponse(lost, cancel);
    }

    static boolean progress(WriteTx tx, ProgressRequest request) throws SQLException {
        PreparedStatement ps = fenced(tx, Sql.PROGRESS_FENCED, request.lease());
        ps.setString(1, request.progressJson());
        return ps.executeUpdate() > 0;
    }

    static ReleaseResponse release(WriteTx tx, List<Lease> leases) throws SQLException {
        int released = 0;
        for (Lease lease : leases) {
            PreparedStatement ps = fenced(tx, Sql.RELEASE_FENCED, lease);
            ps.setNull(1, Types.INTEGER);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    String queue = rs.getString(1);
                    tx.move(queue, ACTIVE, PENDING);
                    tx.wake(queue);
                    released++;
                }
            }
        }
        return new ReleaseResponse(released);
    }

    static AckResponse ack(WriteTx tx, List<Ack> acks) throws SQLException {
        Set<String> rejected = new HashSet<>();
        long now = tx.nowMillis();
        for (Ack ack : acks) {
            Lease lease = ack.lease();
            boolean applied = switch (ack.outcome()) {
                // The frequent outcomes: fence and transition in one UPDATE ... RETURNING.
                case Outcome.Completed c -> {
                    PreparedStatement ps = fenced(tx, Sql.ACK_COMPLETED_FENCED, lease);
                    ps.setString(1, c.resultJson());
                    yield finish(tx, ps, lease, COMPLETED, true);
                }
                case Outcome.Cancelled ignored -> {
                    PreparedStatement ps = fenced(tx, Sql.ACK_CANCELLED_FENCED, lease);
                    ps.setNull(1, Types.INTEGER);
                    yield finish(tx, ps, lease, CANCELLED, false);
                }
                case Outcome.Snooze s -> {
                    PreparedStatement ps = fenced(tx, Sql.ACK_SNOOZE_FENCED, lease);
                    ps.setLong(1, plus(now, s.delay()));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            yield false;
                        }
                        tx.move(rs.getString(1), ACTIVE, SCHEDULED);
                        tx.wake(rs.getString(1));
                        yield true;
                    }
                }
                // Failures append to the error history, which is edited in Java: read, then write.
                case Outcome.Retry r -> {
                    Optional<Fenced> fenced = fence(tx, lease);
                    if (fenced.isEmpty()) {
                        yield false;
                    }
                    Fenced f = fenced.get();
                    PreparedStatement ps = tx.statement(Sql.ACK_RETRY);
                    ps.setLong(1, plus(now, r.delay()));
                    ps.setString(2, r.error() == null ? f.errors : Json.appendError(f.errors, r.error()));
                    ps.setLong(3, f.seq);
                    ps.executeUpdate();
                    tx.move(f.queue, ACTIVE, RETRYING);
                    tx.queue(f.queue).failed++;
                    tx.wake(f.queue); // a retry without back-off is ready at once
                    yield true;
                }
                case Outcome.Dead d -> {
                    Optional<Fenced> fenced = fence(tx, lease);
                    if (fenced.isEmpty()) {
                        yield false;
                    }
                    Fenced f = fenced.get();
                    String errors = d.error() == null ? f.errors : Json.appendError(f.errors, d.error());
                    toDead(tx, f.seq, f.queue, d.reason(), errors, null, f.deadRetentionMillis);
                    tx.queue(f.queue).failed++;
                    releaseUnique(tx, f.uniqueKey, lease.taskId());
                    yield true;
                }
            };
            if (!applied) {
                rejected.add(lease.taskId());
            }
        }
        return new AckResponse(rejected);
    }

    /** Runs a fenced finishing UPDATE ... RETURNING queue, unique_key; false when the fence refused it. */
    private static boolean finish(WriteTx tx, PreparedStatement ps, Lease lease, TaskState to, boolean processed)
            throws SQLException {
        String queue;
        String uniqueKey;
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return false;
            }
            queue = rs.getString(1);
            uniqueKey = rs.getString(2);
        }
        tx.move(queue, ACTIVE, to);
        if (processed) {
            tx.queue(queue).processed++;
        }
        releaseUnique(tx, uniqueKey, lease.taskId());
        return true;
    }

    /**
     * Sends an active task to the dead set. The failed total is the caller's (it counts failed
     * attempts); dead and poisoned totals are counted here.
     */
    private static void toDead(WriteTx tx, long seq, String queue, DeadReason reason, String errors,
                               Integer leaseExpirations, long deadRetentionMillis) throws SQLException {
        PreparedStatement ps = tx.statement(Sql.TO_DEAD);
        long now = tx.nowMillis();
        ps.setString(1, reason == null ? DeadReason.FAILED.name() : reason.name());
        ps.setString(2, errors);
        ps.setLong(3, now);
        ps.setLong(4, plusMillis(now, deadRetentionMillis));
        if (leaseExpirations == null) {
            ps.setNull(5, Types.INTEGER); // keeps the stored count
        } else {
            ps.setInt(5, leaseExpirations);
        }
        ps.setLong(6, seq);
        ps.executeUpdate();
        tx.move(queue, ACTIVE, DEAD);
        WriteTx.QueueDelta d = tx.queue(queue);
        d.dead++;
        if (reason == DeadReason.POISON) {
            d.poisoned++;
        }
    }

    private static void toCancelled(WriteTx tx, long seq, String queue, TaskState from, long retentionMillis)
            throws SQLException {
        PreparedStatement ps = tx.statement(Sql.TO_CANCELLED);
        ps.setLong(1, tx.nowMillis());
        ps.setLong(2, plusMillis(tx.nowMillis(), retentionMillis));
        ps.setLong(3, seq);
        ps.executeUpdate();
        tx.move(queue, from, CANCELLED);
    }

    private static void releaseUnique(WriteTx tx, String uniqueKey, String taskId) throws SQLException {
        if (uniqueKey == null) {
            return;
        }
        PreparedStatement ps = tx.statement(Sql.UNIQUE_RELEASE);
        ps.setString(1, uniqueKey);
        ps.setString(2, taskId);
        ps.executeUpdate();
    }

    // ---- maintenance ---------------------------------------------------------------------

    static RecoverResponse recoverExpired(WriteTx tx, RecoverRequest request) throws SQLException {
        long now = tx.nowMillis();
        PreparedStatement expired = tx.statement(Sql.EXPIRED_LEASES);
        expired.setLong(1, now);
        expired.setInt(2, request.limit());
        record Expired(long seq, String id, String queue, int attempt, int maxAttempts, int leaseExpirations,
                       String workerId, String uniqueKey, String errors, long deadRetentionMillis) {
        }
        List<Expired> rows = new ArrayList<>();
        try (ResultSet rs = expired.executeQuery()) {
            while (rs.next()) {
                rows.add(new Expired(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
                        rs.getInt(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getLong(10)));
            }
        }
        int requeued = 0;
        int dead = 0;
        for (Expired e : rows) {
            int expirations = e.leaseExpirations + 1;
            String errors = Json.appendError(e.errors, new TaskError(e.attempt, "lease-expired",
                    "lease expired (worker " + e.workerId + ")", "", tx.now()));
            tx.queue(e.queue).failed++;
            if (expirations >= request.maxLeaseExpirations() || e.attempt >= e.maxAttempts) {
                DeadReason reason = expirations >= request.maxLeaseExpirations() ? DeadReason.POISON : DeadReason.FAILED;
                toDead(tx, e.seq, e.queue, reason, errors, expirations, e.deadRetentionMillis);
                releaseUnique(tx, e.uniqueKey, e.id);
                dead++;
            } else {
                PreparedStatement ps = tx.statement(Sql.RECOVER_TO_PENDING);
                ps.setLong(1, now);
                ps.setString(2, errors);
                ps.setInt(3, expirations);
                ps.setLong(4, e.seq);
                ps.executeUpdate();
                tx.move(e.queue, ACTIVE, PENDING);
                tx.wake(e.queue);
                requeued++;
            }
        }
        return new RecoverResponse(requeued, dead);
    }

    static PromoteResponse promote(WriteTx tx, int limit) throws SQLException {
        // Per queue through the (queue, run_at) index: the cost follows the due tasks and the
        // number of queues, never the number of tasks scheduled for later.
        List<String> queues = new ArrayList<>();
        try (ResultSet rs = tx.statement(Sql.QUEUE_NAMES).executeQuery()) {
            while (rs.next()) {
                queues.add(rs.getString(1));
            }
        }
        int promoted = 0;
        for (String queue : queues) {
            if (promoted >= limit) {
                break;
            }
            promoted += promoteQueue(tx, queue, tx.nowMillis(), limit - promoted);
        }
        return new PromoteResponse(promoted);
    }

    static PruneResponse prune(WriteTx tx, int limit) throws SQLException {
        long now = tx.nowMillis();
        PreparedStatement find = tx.statement(Sql.PRUNABLE);
        find.setLong(1, now);
        find.setInt(2, limit);
        PreparedStatement delete = tx.statement(Sql.DELETE_ONE);
        int pruned = 0;
        try (ResultSet rs = find.executeQuery()) {
            while (rs.next()) {
                delete.setLong(1, rs.getLong(1));
                delete.addBatch();
                tx.queue(rs.getString(2)).counts[TaskState.valueOf(rs.getString(3)).ordinal()]--;
                pruned++;
            }
        }
        if (pruned > 0) {
            delete.executeBatch();
        }
        // Finished tasks released their unique keys already; these are keys past uniqueFor.
        for (String sql : List.of(Sql.PRUNE_UNIQUE, Sql.PRUNE_IDEMPOTENCY)) {
            PreparedStatement ps = tx.statement(sql);
            ps.setLong(1, now);
            ps.executeUpdate();
        }
        PreparedStatement workers = tx.statement(Sql.PRUNE_WORKERS);
        workers.setLong(1, now - WORKER_TTL_MILLIS);
        workers.executeUpdate();
        Permits.prune(tx);
        return new PruneResponse(pruned);
    }

    // ---- admin ---------------------------------------------------------------------------

    private record Found(long seq, String queue, TaskState state, String uniqueKey, long retentionMillis) {
    }

    private static Optional<Found> find(WriteTx tx, String id) throws SQLException {
        PreparedStatement ps = tx.statement(Sql.ADMIN_FIND);
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Found(rs.getLong(1), rs.getString(2), TaskState.valueOf(rs.getString(3)),
                    rs.getString(4), rs.getLong(5)));
        }
    }

    static long admin(WriteTx tx, AdminCommand command) throws SQLException {
        return switch (command) {
            case AdminCommand.Retry r -> retry(tx, r.taskId());
            case AdminCommand.Cancel c -> cancel(tx, c.taskId());
            case AdminCommand.Delete d -> delete(tx, d.taskId());
            case AdminCommand.Purge p -> purge(tx, p.queue(), p.states());
            case AdminCommand.ReplayDead r -> replayDead(tx, r.queue());
            case AdminCommand.Pause p -> setPaused(tx, p.queue(), true);
            case AdminCommand.Resume r -> setPaused(tx, r.queue(), false);
        };
    }

    private static long retry(WriteTx tx, String id) throws SQLException {
        Optional<Found> found = find(tx, id);
        if (found.isEmpty()) {
            return 0;
        }
        Found f = found.get();
        if (f.state != DEAD && f.state != RETRYING && f.state != SCHEDULED && f.state != CANCELLED) {
            return 0;
        }
        PreparedStatement ps = tx.statement(Sql.RETRY_ONE);
        ps.setLong(1, tx.nowMillis());
        ps.setLong(2, f.seq);
        ps.executeUpdate();
        tx.move(f.queue, f.state, PENDING);
        tx.wake(f.queue);
        return 1;
    }

    private static long cancel(WriteTx tx, String id) throws SQLException {
        Optional<Found> found = find(tx, id);
        if (found.isEmpty()) {
            return 0;
        }
        Found f = found.get();
        switch (f.state) {
            case PENDING, SCHEDULED, RETRYING, TaskState.WAITING -> {
                toCancelled(tx, f.seq, f.queue, f.state, f.retentionMillis);
                releaseUnique(tx, f.uniqueKey, id);
                return 1;
            }
            case ACTIVE -> {
                // The worker learns it at its next renew and acks Cancelled.
                PreparedStatement ps = tx.statement(Sql.REQUEST_CANCEL);
                ps.setLong(1, f.seq);
                ps.executeUpdate();
                return 1;
            }
            default -> {
                return 0;
            }
        }
    }

    private static long delete(WriteTx tx, String id) throws SQLException {
        Optional<Found> found = find(tx, id);
        if (found.isEmpty() || found.get().state == ACTIVE) {
            return 0;
        }
        Found f = found.get();
        PreparedStatement ps = tx.statement(Sql.DELETE_ONE);
        ps.setLong(1, f.seq);
        ps.executeUpdate();
        tx.queue(f.queue).counts[f.state.ordinal()]--;
        releaseUnique(tx, f.uniqueKey, id);
        return 1;
    }

    private static long purge(WriteTx tx, String queue, Set<TaskState> states) throws SQLException {
        long purged = 0;
        for (TaskState state : states) {
            if (state == ACTIVE) {
                continue; // Running tasks are never purged; their workers would ack into nothing.
            }
            PreparedStatement keys = tx.statement(Sql.purgeUnique(state));
            keys.setString(1, queue);
            keys.executeUpdate();
            PreparedStatement ps = tx.statement(Sql.purge(state));
            ps.setString(1, queue);
            int n = ps.executeUpdate();
            if (n > 0) {
                tx.queue(queue).counts[state.ordinal()] -= n;
                purged += n;
            }
        }
        return purged;
    }

    private static long replayDead(WriteTx tx, String queue) throws SQLException {
        // Count per queue first (for the counters), then move them all in one statement.
        List<String> queues = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        PreparedStatement count = tx.statement(queue == null ? Sql.DEAD_COUNT_BY_QUEUE : Sql.DEAD_COUNT_OF_QUEUE);
        if (queue != null) {
            count.setString(1, queue);
        }
        try (ResultSet rs = count.executeQuery()) {
            while (rs.next()) {
                if (queue == null) {
                    queues.add(rs.getString(1));
                    counts.add(rs.getLong(2));
                } else {
                    queues.add(queue);
                    counts.add(rs.getLong(1));
                }
            }
        }
        long total = counts.stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return 0;
        }
        PreparedStatement ps = tx.statement(queue == null ? Sql.REPLAY_ALL : Sql.REPLAY_QUEUE);
        ps.setLong(1, tx.nowMillis());
        if (queue != null) {
            ps.setString(2, queue);
        }
        ps.executeUpdate();
        for (int i = 0; i < queues.size(); i++) {
            if (counts.get(i) > 0) {
                WriteTx.QueueDelta d = tx.queue(queues.get(i));
                d.counts[DEAD.ordinal()] -= counts.get(i);
                d.counts[PENDING.ordinal()] += counts.get(i);
                tx.wake(queues.get(i));
            }
        }
        return total;
    }

    private static long setPaused(WriteTx tx, String queue, boolean paused) throws SQLException {
        if (paused) {
            // Pausing makes a queue known (so it shows in stats); resuming an unknown one does nothing.
            PreparedStatement ensure = tx.statement(Sql.QUEUE_ENSURE);
            ensure.setString(1, queue);
            ensure.executeUpdate();
        }
        PreparedStatement ps = tx.statement(Sql.QUEUE_SET_PAUSED);
        ps.setInt(1, paused ? 1 : 0);
        ps.setString(2, queue);
        ps.setInt(3, paused ? 1 : 0);
        int changed = ps.executeUpdate();
        if (changed > 0 && !paused) {
            tx.wake(queue);
        }
        return changed;
    }

    // ---- coordination --------------------------------------------------------------------

    static Optional<String> idempotency(WriteTx tx, IdempotencyRequest request) throws SQLException {
        PreparedStatement get = tx.statement(Sql.IDEMPOTENCY_GET);
        get.setString(1, request.key());
        get.setLong(2, tx.nowMillis());
        try (ResultSet rs = get.executeQuery()) {
            if (rs.next()) {
                return Optional.of(rs.getString(1));
            }
        }
        if (request.resultJson() == null) {
            return Optional.empty();
        }
        PreparedStatement put = tx.statement(Sql.IDEMPOTENCY_PUT);
        put.setString(1, request.key());
        put.setString(2, request.resultJson());
        put.setLong(3, plus(tx.nowMillis(), request.ttl()));
        put.executeUpdate();
        return Optional.of(request.resultJson());
    }

    static LeaderResponse lead(WriteTx tx, LeaderRequest request) throws SQLException {
        long now = tx.nowMillis();
        PreparedStatement get = tx.statement(Sql.LEADER_GET);
        get.setString(1, request.name());
        try (ResultSet rs = get.executeQuery()) {
            if (rs.next()) {
                String holder = rs.getString(1);
                long until = rs.getLong(2);
                if (until > now && !holder.equals(request.holder())) {
                    return new LeaderResponse(false, holder, Instant.ofEpochMilli(until));
                }
            }
        }
        long until = plus(now, request.ttl());
        PreparedStatement put = tx.statement(Sql.LEADER_PUT);
        put.setString(1, request.name());
        put.setString(2, request.holder());
        put.setLong(3, until);
        put.executeUpdate();
        return new LeaderResponse(true, request.holder(), Instant.ofEpochMilli(until));
    }

    static Void heartbeat(WriteTx tx, WorkerInfo worker) throws SQLException {
        PreparedStatement ps = tx.statement(Sql.WORKER_PUT);
        ps.setString(1, worker.workerId());
        ps.setString(2, worker.host());
        ps.setLong(3, worker.pid());
        ps.setString(4, Json.strings(worker.queues()));
        ps.setInt(5, worker.concurrency());
        ps.setInt(6, worker.busy());
        if (worker.startedAt() == null) {
            ps.setNull(7, Types.INTEGER);
        } else {
            ps.setLong(7, worker.startedAt().toEpochMilli());
        }
        ps.setLong(8, tx.nowMillis());
        ps.executeUpdate();
        return null;
    }

    static Void unregister(WriteTx tx, String workerId) throws SQLException {
        PreparedStatement ps = tx.statement(Sql.WORKER_DELETE);
        ps.setString(1, workerId);
        ps.executeUpdate();
        return null;
    }

    // ---- time ----------------------------------------------------------------------------

    static long millis(Duration d) {
        if (d == null) {
            return 0;
        }
        try {
            return d.toMillis();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code now + d} in millis, saturating: "forever" retentions must not wrap around. */
    static long plus(long now, Duration d) {
        return plusMillis(now, millis(d));
    }

    static long plusMillis(long now, long millis) {
        long sum = now + millis;
        if (((now ^ sum) & (millis ^ sum)) < 0) {
            return millis > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}
