package dev.ferry.internal;

import dev.ferry.Limit;
import dev.ferry.Task;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A worker's side of flow control: before a claimed task runs, it asks the backend for a slot of
 * every concurrency limit and a token of every rate limit that applies ({@link Broker#permits}),
 * so the limits hold across all workers. A task that is refused is snoozed back to the backend
 * (its attempt not counted) until the next token, or briefly for a busy concurrency slot, so it
 * waits there and holds no thread. A refused queue-wide rate limit also stops this worker from
 * claiming from that queue until the next token, so a limited queue is not churned through.
 *
 * <p>Why here and not inside claim: one atomic primitive (a token bucket, a semaphore) per
 * backend is small and the same everywhere, while claim is the hottest, most backend-specific
 * statement of all. The price is a claim that sometimes ends in a snooze; see docs/flow-control.md.
 */
final class FlowControl {
    /** Prefix of the idempotency record that tells the explainer why a task waits. */
    static final String WAIT_RECORD = "ferry-wait:";

    private final Broker broker;
    private final List<Limit> limits;
    private final Duration lease;
    private final Duration busyRetry;
    /** Queue → System.nanoTime() until which this worker does not claim from it. */
    private final Map<String, Long> throttledUntil = new ConcurrentHashMap<>();

    FlowControl(Broker broker, List<Limit> limits, Duration lease, Duration busyRetry) {
        this.broker = broker;
        this.limits = List.copyOf(limits);
        this.lease = lease;
        this.busyRetry = busyRetry;
    }

    boolean enabled() {
        return !limits.isEmpty();
    }

    /** Why a task may not start now, and how long it should wait in the backend. */
    record Denial(Duration delay, Limit limit, String key, Instant retryAt) {
        String explanation() {
            String k = key == null ? "" : ",\"key\":\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            return "{\"reason\":\"" + (limit.kind() == Limit.Kind.RATE ? "rate-limited" : "concurrency-limited")
                    + "\",\"limit\":\"" + limit.toString().replace("\"", "'") + "\"" + k
                    + ",\"until\":\"" + retryAt + "\"}";
        }
    }

    /**
     * Takes what the task needs, or nothing. Returns null when it may run (its semaphore slots
     * are then on {@code rt.permitHolds}), else the denial.
     */
    Denial admit(RunningTask rt) {
        if (limits.isEmpty()) {
            return null;
        }
        ClaimedTask task = rt.task;
        String key = task.headers().get(Task.KEY_HEADER);
        List<Limit> rates = new ArrayList<>();
        List<Limit> slots = new ArrayList<>();
        for (Limit l : limits) {
            if (l.appliesTo(task.queue(), key)) {
                (l.kind() == Limit.Kind.RATE ? rates : slots).add(l);
            }
        }
        if (rates.isEmpty() && slots.isEmpty()) {
            return null;
        }
        String holder = task.id() + "#" + task.lease().token();
        // Slots first: a token taken for a task that then finds no slot would be wasted.
        List<PermitOp.Acquire> acquires = new ArrayList<>();
        for (Limit l : slots) {
            acquires.add(new PermitOp.Acquire(l.permitName(key), (int) l.limit(), holder, lease));
        }
        if (!acquires.isEmpty()) {
            List<PermitResponse.Result> got = broker.permits(new PermitRequest(List.copyOf(acquires))).results();
            for (int i = 0; i < got.size(); i++) {
                if (!got.get(i).granted()) {
                    giveBack(acquires, got);
                    Instant retryAt = got.get(i).retryAt();
                    Duration untilFree = between(brokerNow(rt), retryAt);
                    Duration wait = jitter(untilFree.compareTo(busyRetry) < 0 ? untilFree : busyRetry);
                    return deny(rt, new Denial(wait, slots.get(i), key, brokerNow(rt).plus(wait)));
                }
            }
        }
        if (!rates.isEmpty()) {
            List<PermitOp> takes = new ArrayList<>();
            for (Limit l : rates) {
                takes.add(new PermitOp.Take(l.permitName(key), l.limit(), l.per(), l.burst()));
            }
            List<PermitResponse.Result> got = broker.permits(new PermitRequest(takes)).results();
            for (int i = 0; i < got.size(); i++) {
                if (!got.get(i).granted()) {
                    if (!acquires.isEmpty()) {
                        releaseAll(acquires);
                    }
                    Limit l = rates.get(i);
                    Instant retryAt = got.get(i).retryAt();
                    Duration wait = between(brokerNow(rt), retryAt);
                    if (!l.keyed()) {
                        throttledUntil.merge(task.queue(), System.nanoTime() + wait.toNanos(), Math::max);
                    }
                    // a little jitter so the tasks refused together do not all return together
                    return deny(rt, new Denial(wait.plus(jitter(l.per().dividedBy(l.limit()))), l, key, retryAt));
                }
            }
        }
        rt.permitHolds = List.copyOf(acquires);
        return null;
    }

    private Denial deny(RunningTask rt, Denial denial) {
        try {
            // Tells the explainer why; it lives exactly as long as the wait.
            broker.idempotency(new IdempotencyRequest(WAIT_RECORD + rt.id(), denial.explanation(),
                    denial.delay().isPositive() ? denial.delay() : Duration.ofMillis(1)));
        } catch (RuntimeException e) {
            // only the explanation is lost; the wait itself is the snooze
        }
        return denial;
    }

    private void giveBack(List<PermitOp.Acquire> acquires, List<PermitResponse.Result> got) {
        List<PermitOp> releases = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            if (got.get(i).granted()) {
                releases.add(new PermitOp.Release(acquires.get(i).name(), acquires.get(i).holder()));
            }
        }
        if (!releases.isEmpty()) {
            broker.permits(new PermitRequest(releases));
        }
    }

    private void releaseAll(List<PermitOp.Acquire> acquires) {
        List<PermitOp> releases = new ArrayList<>();
        for (PermitOp.Acquire a : acquires) {
            releases.add(new PermitOp.Release(a.name(), a.holder()));
        }
        broker.permits(new PermitRequest(releases));
    }

    /** Gives back the task's semaphore slots once its handler ended. Never throws. */
    void release(RunningTask rt) {
        List<PermitOp.Acquire> holds = rt.permitHolds;
        if (holds.isEmpty()) {
            return;
        }
        rt.permitHolds = List.of();
        try {
            releaseAll(holds);
        } catch (RuntimeException e) {
            // the slots expire with the lease time given at acquire
        }
    }

    /** Extends the slots of running tasks, as the lease keeper extends their leases. */
    void renew(Collection<RunningTask> running) {
        List<PermitOp> again = new ArrayList<>();
        for (RunningTask rt : running) {
            again.addAll(rt.permitHolds);
        }
        if (!again.isEmpty()) {
            broker.permits(new PermitRequest(again));
        }
    }

    /** The queues of {@code order} this worker may claim from now. */
    List<String> claimable(List<String> order) {
        if (throttledUntil.isEmpty()) {
            return order;
        }
        long now = System.nanoTime();
        throttledUntil.values().removeIf(until -> until - now <= 0);
        if (throttledUntil.isEmpty()) {
            return order;
        }
        List<String> open = new ArrayList<>(order.size());
        for (String q : order) {
            if (!throttledUntil.containsKey(q)) {
                open.add(q);
            }
        }
        return open;
    }

    /** Nanoseconds until the first throttled queue opens again (0 when none is throttled). */
    long nanosUntilOpen() {
        long now = System.nanoTime();
        return throttledUntil.values().stream().mapToLong(until -> Math.max(0, until - now)).min().orElse(0);
    }

    /** Broker time now, estimated from the claim: the lease ends {@code lease} after broker-now. */
    private Instant brokerNow(RunningTask rt) {
        return rt.task.leaseExpiresAt().minus(lease).plusNanos(System.nanoTime() - rt.claimedNanos);
    }

    private static Duration between(Instant from, Instant to) {
        Duration d = to == null ? Duration.ZERO : Duration.between(from, to);
        return d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
    }

    private static Duration jitter(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return Duration.ofMillis(ms + ThreadLocalRandom.current().nextLong(Math.max(1, ms / 10) + 1));
    }

    /** The lease keeper's companion: extends held slots every third of a lease. */
    static final class Keeper extends PeriodicDuty {
        private final FlowControl flow;
        private final Collection<RunningTask> inFlight;

        Keeper(FlowControl flow, Collection<RunningTask> inFlight, Duration lease) {
            super("flow-control keeper", lease.dividedBy(3));
            this.flow = flow;
            this.inFlight = inFlight;
        }

        @Override
        protected void runOnce() {
            flow.renew(inFlight);
        }
    }
}
