package dev.ferry.postgres.internal;

import dev.ferry.DeadReason;
import dev.ferry.InvalidInputException;
import dev.ferry.spi.Ack;
import dev.ferry.spi.Lease;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.ProgressRequest;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fenced operations: renew, ack, release and progress. Each applies to a lease only while the
 * task is ACTIVE under that token and the lease has not expired (checked in SQL against broker
 * time); the others change nothing.
 *
 * <p>Batches are written with one statement per kind of outcome, the leases passed as arrays and
 * sorted by task id. A worker's renew and ack batches run concurrently on two connections; with
 * the same order they lock the rows they share in the same order and cannot deadlock.
 */
public final class Leases {
    private Leases() {
    }

    private static final Comparator<Lease> BY_ID = Comparator.comparing(Lease::taskId).thenComparingLong(Lease::token);

    /** Refuses acks the core could never have produced, before anything is written. */
    public static void check(List<Ack> acks) {
        for (Ack a : acks) {
            if (a == null || a.lease() == null || a.lease().taskId() == null) {
                throw new InvalidInputException("lease", "must not be null");
            }
            if (a.outcome() == null) {
                throw new InvalidInputException("outcome", "must not be null");
            }
            switch (a.outcome()) {
                case Outcome.Retry r -> require(r.delay(), "delay");
                case Outcome.Snooze s -> require(s.delay(), "delay");
                case Outcome.Dead d -> require(d.reason(), "reason");
                case Outcome.Completed c -> { }
                case Outcome.Cancelled c -> { }
            }
        }
    }

    public static void checkLeases(List<Lease> leases) {
        for (Lease l : leases) {
            if (l == null || l.taskId() == null) {
                throw new InvalidInputException("lease", "must not be null");
            }
        }
    }

    static void require(Object value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "must not be null");
        }
    }

    public static RenewResponse renew(Tx tx, RenewRequest request) throws SQLException {
        List<Lease> leases = sorted(request.leases());
        Set<String> renewed = new HashSet<>();
        Set<String> cancel = new HashSet<>();
        if (!leases.isEmpty()) {
            Stmt s = tx.stmt("renew").textArray("ids", ids(leases)).int8Array("tokens", tokens(leases))
                    .micros("lease_us", request.lease());
            try (ResultSet rs = s.query()) {
                while (rs.next()) {
                    renewed.add(rs.getString(1));
                    if (rs.getBoolean(2)) {
                        cancel.add(rs.getString(1));
                    }
                }
            }
        }
        Set<String> lost = new HashSet<>();
        for (Lease l : leases) {
            if (!renewed.contains(l.taskId())) {
                lost.add(l.taskId());
            }
        }
        return new RenewResponse(lost, cancel);
    }

    /**
     * Applies the acks; returns the ids the fence refused. Acks naming the same task more than
     * once are applied in rounds, in request order: each is fenced against the state the earlier
     * ones left (so a second ack of one lease is refused, as it would be in a later call).
     */
    public static Set<String> ack(Tx tx, List<Ack> acks) throws SQLException {
        Set<String> applied = new HashSet<>();
        Set<String> rejected = new HashSet<>();
        List<Ack> pending = acks;
        while (!pending.isEmpty()) {
            Map<String, Ack> round = new LinkedHashMap<>();
            List<Ack> later = new ArrayList<>();
            for (Ack a : pending) {
                if (round.putIfAbsent(a.lease().taskId(), a) != null) {
                    later.add(a);
                }
            }
            Set<String> done = ackRound(tx, new ArrayList<>(round.values()), later.isEmpty());
            for (String id : round.keySet()) {
                if (done.contains(id)) {
                    applied.add(id);
                    rejected.remove(id);
                } else if (!applied.contains(id)) {
                    rejected.add(id);
                }
            }
            pending = later;
        }
        return rejected;
    }

    /** One round of acks (distinct task ids); {@code last}: no round follows in this transaction. */
    private static Set<String> ackRound(Tx tx, List<Ack> acks, boolean last) throws SQLException {
        Map<Class<?>, List<Ack>> byKind = new HashMap<>();
        for (Ack a : acks) {
            byKind.computeIfAbsent(a.outcome().getClass(), k -> new ArrayList<>()).add(a);
        }
        Set<String> applied = new HashSet<>();
        for (List<Ack> group : byKind.values()) {
            group.sort(Comparator.comparing(Ack::lease, BY_ID));
        }
        List<Ack> completed = byKind.getOrDefault(Outcome.Completed.class, List.of());
        if (!completed.isEmpty()) {
            List<String> results = new ArrayList<>();
            for (Ack a : completed) {
                results.add(((Outcome.Completed) a.outcome()).resultJson());
            }
            // Only completions, in one round (the usual batch): the statement counts them itself
            // and carries the COMMIT, so the whole ack is one round trip.
            boolean alone = last && byKind.size() == 1 && tx.ownsCommit() && tx.nothingToFinish();
            Stmt s = leaseArrays(alone ? tx.lastStmt("ack_complete") : tx.stmt("ack_complete"), completed)
                    .textArray("results", results).bool("count_stats", alone);
            s.execute(rs -> {
                applied.add(rs.getString(1));
                if (!alone) {
                    tx.count(rs.getString(2), Tx.COMPLETED, 1);
                    tx.count(rs.getString(2), Tx.PROCESSED, 1);
                }
            });
        }
        List<Ack> retries = byKind.getOrDefault(Outcome.Retry.class, List.of());
        if (!retries.isEmpty()) {
            List<Long> delays = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (Ack a : retries) {
                Outcome.Retry r = (Outcome.Retry) a.outcome();
                delays.add(Micros.of(r.delay()));
                errors.add(Json.error(r.error()));
            }
            Stmt s = leaseArrays(tx.stmt("ack_retry"), retries).int8Array("delays_us", delays)
                    .textArray("errors", errors);
            try (ResultSet rs = s.query()) {
                while (rs.next()) {
                    applied.add(rs.getString(1));
                    tx.count(rs.getString(2), Tx.FAILED, 1);
                    tx.wake(rs.getString(2));
                }
            }
        }
        List<Ack> snoozes = byKind.getOrDefault(Outcome.Snooze.class, List.of());
        if (!snoozes.isEmpty()) {
            List<Long> delays = new ArrayList<>();
            for (Ack a : snoozes) {
                delays.add(Micros.of(((Outcome.Snooze) a.outcome()).delay()));
            }
            Stmt s = leaseArrays(tx.stmt("ack_snooze"), snoozes).int8Array("delays_us", delays);
            try (ResultSet rs = s.query()) {
                while (rs.next()) {
                    applied.add(rs.getString(1));
                    tx.wake(rs.getString(2));
                }
            }
        }
        List<Ack> deaths = byKind.getOrDefault(Outcome.Dead.class, List.of());
        if (!deaths.isEmpty()) {
            List<String> reasons = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (Ack a : deaths) {
                Outcome.Dead d = (Outcome.Dead) a.outcome();
                reasons.add(d.reason().name());
                errors.add(Json.error(d.error()));
            }
            Stmt s = leaseArrays(tx.stmt("ack_dead"), deaths).textArray("reasons", reasons)
                    .textArray("errors", errors);
            try (ResultSet rs = s.query()) {
                while (rs.next()) {
                    applied.add(rs.getString(1));
                    String queue = rs.getString(2);
                    tx.count(queue, Tx.DEAD, 1);
                    tx.count(queue, Tx.FAILED, 1);
                    tx.count(queue, Tx.DEAD_TOTAL, 1);
                    if (DeadReason.POISON.name().equals(rs.getString(3))) {
                        tx.count(queue, Tx.POISONED, 1);
                    }
                }
            }
        }
        List<Ack> cancels = byKind.getOrDefault(Outcome.Cancelled.class, List.of());
        if (!cancels.isEmpty()) {
            try (ResultSet rs = leaseArrays(tx.stmt("ack_cancel"), cancels).query()) {
                while (rs.next()) {
                    applied.add(rs.getString(1));
                    tx.count(rs.getString(2), Tx.CANCELLED, 1);
                }
            }
        }
        return applied;
    }

    private static Stmt leaseArrays(Stmt s, List<Ack> acks) throws SQLException {
        List<Lease> leases = new ArrayList<>(acks.size());
        for (Ack a : acks) {
            leases.add(a.lease());
        }
        return s.textArray("ids", ids(leases)).int8Array("tokens", tokens(leases));
    }

    /** Gives valid leases back; returns how many. */
    public static int release(Tx tx, List<Lease> requested) throws SQLException {
        List<Lease> leases = sorted(requested);
        if (leases.isEmpty()) {
            return 0;
        }
        int released = 0;
        try (ResultSet rs = tx.stmt("release").textArray("ids", ids(leases)).int8Array("tokens", tokens(leases))
                .query()) {
            while (rs.next()) {
                released++;
                tx.wake(rs.getString(1));
            }
        }
        return released;
    }

    public static boolean progress(Tx tx, ProgressRequest request) throws SQLException {
        return tx.stmt("progress").text("id", request.lease().taskId()).int8("token", request.lease().token())
                .text("progress", request.progressJson()).update() > 0;
    }

    private static List<Lease> sorted(List<Lease> leases) {
        List<Lease> copy = new ArrayList<>(leases);
        copy.sort(BY_ID);
        return copy;
    }

    private static List<String> ids(List<Lease> leases) {
        List<String> out = new ArrayList<>(leases.size());
        for (Lease l : leases) {
            out.add(l.taskId());
        }
        return out;
    }

    private static List<Long> tokens(List<Lease> leases) {
        List<Long> out = new ArrayList<>(leases.size());
        for (Lease l : leases) {
            out.add(l.token());
        }
        return out;
    }
}
