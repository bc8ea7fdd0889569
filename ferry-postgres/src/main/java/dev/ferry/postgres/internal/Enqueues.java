package dev.ferry.postgres.internal;

import dev.ferry.EnqueueResult;
import dev.ferry.InvalidInputException;
import dev.ferry.spi.EnqueueResponse;
import dev.ferry.spi.NewTask;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Enqueue, on any connection inside a transaction: the broker's own or the application's
 * (transactional enqueue). Whatever the batch size it takes a fixed number of statements, plus
 * one per task with a unique key:
 * <ol>
 *   <li>insert every task with a new id into the hot table ({@code ON CONFLICT (id) DO NOTHING}:
 *       a missing row is a duplicate of an unfinished task; {@code enqueue_fair.sql} when the
 *       batch has tenanted tasks, which also gives them their fair positions);</li>
 *   <li>look the inserted ids up in task_done: a finished task still uses them;</li>
 *   <li>take the unique keys, in batch order, so earlier tasks of the batch count;</li>
 *   <li>delete what was inserted and then refused.</li>
 * </ol>
 * A duplicate id inside the batch is refused before anything is sent: the first occurrence
 * decides, and any later one is a duplicate of it whether it was created or refused.
 *
 * <p>In the broker's own transaction, when no task has a unique key (the common case), steps 2
 * and 4 are one statement that also sends the NOTIFY and carries the {@code COMMIT}
 * ({@code enqueue_finished_undo.sql}): an enqueue is then two round trips whatever its size.
 */
public final class Enqueues {
    private Enqueues() {
    }

    /** Refuses a task the core could never have produced, before anything of the batch is stored. */
    public static void check(List<NewTask> tasks) {
        for (NewTask t : tasks) {
            if (t == null) {
                throw new InvalidInputException("task", "must not be null");
            }
            require(t.id(), "id");
            require(t.queue(), "queue");
            require(t.type(), "type");
            require(t.payloadJson(), "payload");
            require(t.timeout(), "timeout");
            require(t.retention(), "retention");
            require(t.deadRetention(), "deadRetention");
            if (t.uniqueKey() != null) {
                require(t.uniqueFor(), "uniqueFor");
            }
        }
    }

    private static void require(Object value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "must not be null");
        }
    }

    public static EnqueueResponse enqueue(Tx tx, List<NewTask> tasks) throws SQLException {
        EnqueueResult[] results = new EnqueueResult[tasks.size()];
        List<NewTask> fresh = new ArrayList<>(tasks.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tasks.size(); i++) {
            NewTask t = tasks.get(i);
            if (!seen.add(t.id())) {
                results[i] = new EnqueueResult(t.id(), EnqueueResult.Status.DUPLICATE_ID);
            } else {
                fresh.add(t);
            }
        }
        Set<String> pending = new HashSet<>();
        Set<String> inserted = insert(tx, fresh, pending);
        Set<String> refused = new LinkedHashSet<>();
        boolean notified = false;
        if (!inserted.isEmpty()) {
            if (tx.ownsCommit() && tx.nothingToFinish() && noUniqueKeys(fresh)) {
                // The common case: nothing left to decide after this check, so it also notifies
                // and commits in the same round trip.
                refused.addAll(finishedUndoAndCommit(tx, inserted, fresh, pending));
                notified = true;
            } else {
                refused.addAll(finishedIds(tx, inserted));
            }
        }
        // Unique keys, in batch order, for tasks created so far.
        java.util.Map<String, String> keyHolders = new java.util.HashMap<>();
        for (NewTask t : fresh) {
            if (t.uniqueKey() != null && inserted.contains(t.id()) && !refused.contains(t.id())) {
                String holder = takeKey(tx, t);
                if (!holder.equals(t.id())) {
                    refused.add(t.id());
                    keyHolders.put(t.id(), holder);
                }
            }
        }
        if (!refused.isEmpty() && !notified) {
            tx.stmt("enqueue_undo").textArray("ids", new ArrayList<>(refused)).update();
        }
        int f = 0;
        for (int i = 0; i < results.length; i++) {
            if (results[i] != null) {
                continue; // a duplicate inside the batch
            }
            NewTask t = fresh.get(f++);
            String holder = keyHolders.get(t.id());
            if (holder != null) {
                results[i] = new EnqueueResult(holder, EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
            } else if (!inserted.contains(t.id()) || refused.contains(t.id())) {
                results[i] = new EnqueueResult(t.id(), EnqueueResult.Status.DUPLICATE_ID);
            } else {
                results[i] = new EnqueueResult(t.id(), EnqueueResult.Status.CREATED);
                if (pending.contains(t.id())) {
                    // a delayed task wakes nobody: workers find it when it is due
                    if (notified) {
                        tx.wakeNotified(t.queue());
                    } else {
                        tx.wake(t.queue());
                    }
                }
            }
        }
        return new EnqueueResponse(List.of(results));
    }

    /** Inserts; returns the ids stored and adds those stored as PENDING to {@code pending}. */
    private static Set<String> insert(Tx tx, List<NewTask> tasks, Set<String> pending) throws SQLException {
        Set<String> inserted = new HashSet<>();
        if (tasks.isEmpty()) {
            return inserted;
        }
        int n = tasks.size();
        List<String> ids = new ArrayList<>(n);
        List<String> queues = new ArrayList<>(n);
        List<String> types = new ArrayList<>(n);
        List<String> payloads = new ArrayList<>(n);
        List<Integer> priorities = new ArrayList<>(n);
        List<String> runAts = new ArrayList<>(n);
        List<Long> delays = new ArrayList<>(n);
        List<Integer> maxAttempts = new ArrayList<>(n);
        List<Long> timeouts = new ArrayList<>(n);
        List<String> uniqueKeys = new ArrayList<>(n);
        List<String> headers = new ArrayList<>(n);
        List<Long> retentions = new ArrayList<>(n);
        List<Long> deadRetentions = new ArrayList<>(n);
        List<String> tenants = new ArrayList<>(n);
        boolean fair = false;
        for (NewTask t : tasks) {
            ids.add(t.id());
            queues.add(t.queue());
            types.add(t.type());
            payloads.add(t.payloadJson());
            priorities.add(t.priority());
            runAts.add(t.runAt() == null ? null : t.runAt().toString());
            delays.add(Micros.of(t.delay()));
            maxAttempts.add(t.maxAttempts());
            timeouts.add(Micros.of(t.timeout()));
            uniqueKeys.add(t.uniqueKey());
            headers.add(Json.headers(t.headers()));
            retentions.add(Micros.of(t.retention()));
            deadRetentions.add(Micros.of(t.deadRetention()));
            tenants.add(t.tenant());
            fair |= t.tenant() != null;
        }
        // Only a batch with tenants pays for fair positions: the plain statement stays as it was.
        Stmt s = tx.stmt(fair ? "enqueue_fair" : "enqueue")
                .textArray("ids", ids).textArray("queues", queues).textArray("types", types)
                .textArray("payloads", payloads).int4Array("priorities", priorities).textArray("run_ats", runAts)
                .int8Array("delays_us", delays).int4Array("max_attempts", maxAttempts)
                .int8Array("timeouts_us", timeouts).textArray("unique_keys", uniqueKeys)
                .textArray("headers", headers).int8Array("retentions_us", retentions)
                .int8Array("dead_retentions_us", deadRetentions);
        if (fair) {
            s.textArray("tenants", tenants);
        }
        try (ResultSet rs = s.query()) {
            while (rs.next()) {
                inserted.add(rs.getString(1));
                if ("PENDING".equals(rs.getString(2))) {
                    pending.add(rs.getString(1));
                }
            }
        }
        return inserted;
    }

    private static boolean noUniqueKeys(List<NewTask> tasks) {
        for (NewTask t : tasks) {
            if (t.uniqueKey() != null) {
                return false;
            }
        }
        return true;
    }

    /** The finished-id check, the undo of what it refuses, the NOTIFY and the COMMIT, in one round trip. */
    private static Set<String> finishedUndoAndCommit(Tx tx, Set<String> inserted, List<NewTask> tasks,
            Set<String> pending) throws SQLException {
        Set<String> wake = new LinkedHashSet<>();
        if (tx.channel() != null) {
            for (NewTask t : tasks) {
                if (pending.contains(t.id())) {
                    wake.add(t.queue());
                }
            }
        }
        Set<String> found = new HashSet<>();
        tx.lastStmt("enqueue_finished_undo").textArray("ids", new ArrayList<>(inserted))
                .text("channel", tx.channel() == null ? "" : tx.channel()).textArray("wake", new ArrayList<>(wake))
                .execute(rs -> found.add(rs.getString(1)));
        return found;
    }

    private static Set<String> finishedIds(Tx tx, Set<String> ids) throws SQLException {
        Set<String> found = new HashSet<>();
        try (ResultSet rs = tx.stmt("enqueue_finished_ids").textArray("ids", new ArrayList<>(ids)).query()) {
            while (rs.next()) {
                found.add(rs.getString(1));
            }
        }
        return found;
    }

    private static String takeKey(Tx tx, NewTask t) throws SQLException {
        Stmt s = tx.stmt("enqueue_take_key").text("key", t.uniqueKey()).text("task_id", t.id())
                .micros("unique_for_us", t.uniqueFor());
        try (ResultSet rs = s.query()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
