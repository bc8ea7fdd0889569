package dev.ferry.testing;

import dev.ferry.BrokerException;
import dev.ferry.DeadReason;
import dev.ferry.EnqueueResult;
import dev.ferry.InvalidInputException;
import dev.ferry.QueueStats;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AckResponse;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.AdminResponse;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.Broker;
import dev.ferry.spi.BrokerCapabilities;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimResponse;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.EnqueueResponse;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.LeaderResponse;
import dev.ferry.spi.Lease;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.ProgressRequest;
import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PromoteResponse;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.PruneResponse;
import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecordResponse;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import dev.ferry.spi.ReleaseRequest;
import dev.ferry.spi.ReleaseResponse;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import dev.ferry.spi.TaskPage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A complete {@link Broker} held in this process's memory: nothing survives the process, and only
 * this process sees it. Meant for unit tests (with a {@link ManualClock}) and for trying Ferry out.
 * It follows {@code docs/spi.md} exactly and passes {@link BrokerContract}.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * try (Broker broker = new InMemoryBroker(clock)) {
 *     // give it to a client and a worker, move time with clock.advance(...)
 * }
 * }</pre>
 *
 * <p>One lock guards all state, so every operation is atomic. Ready tasks sit in per-queue sets
 * sorted in claim order, so a claim touches only the tasks it takes; leases and retention
 * deadlines sit in sets sorted by expiry, so recovery and pruning touch only what is due.
 * {@link #awaitWork} waits on a condition signalled by enqueue, release, recovery, retry,
 * snooze, promotion, resume and replay.
 *
 * <p>After {@link #close()}, {@code awaitWork} returns false at once and every other operation
 * (except {@link #capabilities()} and {@code close()}) throws a non-transient
 * {@link BrokerException}, as a closed connection pool would.
 */
public final class InMemoryBroker implements Broker {

    /** Errors kept per task (the oldest are dropped). */
    private static final int MAX_ERRORS = 10;
    /** Workers are listed this long after their last heartbeat. */
    private static final Duration HEARTBEAT_WINDOW = Duration.ofSeconds(60);

    private static final BrokerCapabilities CAPABILITIES =
            new BrokerCapabilities("in-memory", true, false, false, false);

    // The sorted sets' comparators are written out: they run on every claim, ack and renew.
    /** Claim order: priority, then position (run-at or fair position), then enqueue sequence. */
    private static final Comparator<Rec> CLAIM_ORDER = (a, b) -> {
        int c = Integer.compare(a.priority, b.priority);
        return c != 0 ? c : instantThenSeq(a.position(), b.position(), a, b);
    };
    private static final Comparator<Rec> RUN_AT_ORDER = (a, b) -> instantThenSeq(a.runAt, b.runAt, a, b);
    private static final Comparator<Rec> LEASE_ORDER =
            (a, b) -> instantThenSeq(a.leaseExpiresAt, b.leaseExpiresAt, a, b);
    private static final Comparator<Rec> EXPIRY_ORDER = (a, b) -> instantThenSeq(a.expiresAt, b.expiresAt, a, b);
    private static final Comparator<Rec> STARTED_ORDER = Comparator
            .comparing((Rec r) -> r.startedAt)
            .thenComparingLong(r -> r.seq);
    private static final Comparator<Rec> FINISHED_DESC = Comparator
            .comparing((Rec r) -> r.finishedAt)
            .thenComparingLong(r -> r.seq)
            .reversed();

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeup = lock.newCondition();
    private final AtomicLong tokens = new AtomicLong();

    // Everything below is guarded by lock.
    private long sequence;
    private boolean closed;
    private final Map<String, Rec> tasks = new HashMap<>();
    private final TreeMap<String, QueueState> queues = new TreeMap<>();
    /** ACTIVE tasks by lease expiry, for recovery. */
    private final TreeSet<Rec> leases = new TreeSet<>(LEASE_ORDER);
    /** Finished tasks by retention deadline, for pruning. */
    private final TreeSet<Rec> expiring = new TreeSet<>(EXPIRY_ORDER);
    private final Map<String, Hold> uniqueKeys = new HashMap<>();
    private final Map<String, Hold> idempotency = new HashMap<>();
    private final Map<String, Hold> leaders = new HashMap<>();
    private final Map<String, Bucket> buckets = new HashMap<>();
    private final Map<String, Map<String, Long>> semaphores = new HashMap<>();
    private final Map<String, TreeMap<String, RecordResponse.Entry>> records = new HashMap<>();
    private final Map<String, WorkerInfo> workers = new HashMap<>();
    /** Per-queue wake-up counters: awaitWork returns true once one of its queues' counters moved. */
    private final Map<String, Long> wakeCounts = new HashMap<>();

    /** A broker on the system clock (UTC). */
    public InMemoryBroker() {
        this(Clock.systemUTC());
    }

    /**
     * A broker whose due times, leases and retention follow the given clock.
     *
     * @param clock the broker's clock, usually a {@link ManualClock} in tests
     */
    public InMemoryBroker(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@code in-memory}: push wake-ups, one process only, not durable, no transactional enqueue. */
    @Override
    public BrokerCapabilities capabilities() {
        return CAPABILITIES;
    }

    // ---- task lifecycle -------------------------------------------------------------------

    /** Stores each task unless its id or unique key is taken; see {@code docs/spi.md}. */
    @Override
    public EnqueueResponse enqueue(EnqueueRequest request) {
        for (NewTask t : request.tasks()) {
            check(t);
        }
        return locked(() -> {
            Instant now = now();
            List<EnqueueResult> results = new ArrayList<>(request.tasks().size());
            Set<String> woken = new HashSet<>();
            for (NewTask t : request.tasks()) {
                if (tasks.containsKey(t.id())) {
                    results.add(new EnqueueResult(t.id(), EnqueueResult.Status.DUPLICATE_ID));
                    continue;
                }
                String holder = t.uniqueKey() == null ? null : uniqueHolder(t.uniqueKey(), now);
                if (holder != null) {
                    results.add(new EnqueueResult(holder, EnqueueResult.Status.DUPLICATE_UNIQUE_KEY));
                    continue;
                }
                Rec r = new Rec(t, ++sequence, now);
                if (r.tenant != null && r.state == TaskState.PENDING) {
                    r.fairAt = fairPosition(queue(r.queue), r, now);
                }
                tasks.put(r.id, r);
                index(r);
                if (r.uniqueKey != null) {
                    uniqueKeys.put(r.uniqueKey, new Hold(r.id, null, now.plus(t.uniqueFor())));
                }
                woken.add(r.queue);
                results.add(new EnqueueResult(r.id, EnqueueResult.Status.CREATED));
            }
            woken.forEach(this::wake);
            return new EnqueueResponse(results);
        });
    }

    /** Leases up to {@code max} ready tasks, taking from the queues in the given order. */
    @Override
    public ClaimResponse claim(ClaimRequest request) {
        require(request.lease(), "lease");
        return locked(() -> {
            Instant now = now();
            List<ClaimedTask> taken = new ArrayList<>();
            for (String name : new LinkedHashSet<>(request.queues())) {
                QueueState q = queues.get(name);
                if (q == null || q.paused) {
                    continue;
                }
                admitDue(q, now);
                while (taken.size() < request.max() && !q.ready.isEmpty()) {
                    Rec r = q.ready.first();
                    unindex(r);
                    if (r.state != TaskState.PENDING && r.runAt.isAfter(now)) {
                        index(r); // the clock was set back: not due any more
                        continue;
                    }
                    r.state = TaskState.ACTIVE;
                    r.attempt++;
                    r.token = tokens.incrementAndGet();
                    r.leaseExpiresAt = now.plus(request.lease());
                    r.workerId = request.workerId();
                    r.startedAt = now;
                    r.cancelRequested = false;
                    index(r);
                    taken.add(r.claimed());
                }
                if (taken.size() == request.max()) {
                    break;
                }
            }
            return new ClaimResponse(taken);
        });
    }

    /** Extends valid leases; lists the lost ones and the valid ones asked to cancel. */
    @Override
    public RenewResponse renew(RenewRequest request) {
        require(request.lease(), "lease");
        return locked(() -> {
            Instant now = now();
            Set<String> lost = new HashSet<>();
            Set<String> cancel = new HashSet<>();
            for (Lease l : request.leases()) {
                Rec r = fenced(l, now);
                if (r == null) {
                    lost.add(l.taskId());
                    continue;
                }
                unindex(r);
                r.leaseExpiresAt = now.plus(request.lease());
                index(r);
                if (r.cancelRequested) {
                    cancel.add(r.id);
                }
            }
            return new RenewResponse(lost, cancel);
        });
    }

    /** Applies each outcome whose lease is still valid; lists the rejected task ids. */
    @Override
    public AckResponse ack(AckRequest request) {
        // Checked up front: a half-applied outcome would leave the task out of its indexes.
        for (Ack a : request.acks()) {
            require(a.lease(), "lease");
            require(a.outcome(), "outcome");
            switch (a.outcome()) {
                case Outcome.Retry r -> require(r.delay(), "delay");
                case Outcome.Snooze s -> require(s.delay(), "delay");
                case Outcome.Dead d -> require(d.reason(), "reason");
                case Outcome.Completed c -> { }
                case Outcome.Cancelled c -> { }
            }
        }
        return locked(() -> {
            Instant now = now();
            Set<String> rejected = new HashSet<>();
            for (Ack a : request.acks()) {
                Rec r = fenced(a.lease(), now);
                if (r == null) {
                    rejected.add(a.lease().taskId());
                    continue;
                }
                QueueState q = queues.get(r.queue);
                unindex(r);
                r.leaseExpiresAt = null;
                switch (a.outcome()) {
                    case Outcome.Completed c -> {
                        r.resultJson = c.resultJson();
                        finish(r, TaskState.COMPLETED, now, r.retention);
                        q.processed++;
                    }
                    case Outcome.Retry retry -> {
                        r.state = TaskState.RETRYING;
                        r.runAt = now.plus(retry.delay());
                        r.addError(retry.error());
                        q.failed++;
                        wake(r.queue);
                    }
                    case Outcome.Snooze s -> {
                        r.state = TaskState.SCHEDULED;
                        r.runAt = now.plus(s.delay());
                        r.attempt--;
                        wake(r.queue);
                    }
                    case Outcome.Dead d -> {
                        r.deadReason = d.reason();
                        r.addError(d.error());
                        finish(r, TaskState.DEAD, now, r.deadRetention);
                        q.failed++;
                        countDead(q, d.reason());
                    }
                    case Outcome.Cancelled c -> finish(r, TaskState.CANCELLED, now, r.retention);
                }
                index(r);
            }
            return new AckResponse(rejected);
        });
    }

    /** Gives valid leases back: the tasks return to pending, their attempt not counted. */
    @Override
    public ReleaseResponse release(ReleaseRequest request) {
        return locked(() -> {
            Instant now = now();
            int released = 0;
            for (Lease l : request.leases()) {
                Rec r = fenced(l, now);
                if (r == null) {
                    continue;
                }
                unindex(r);
                r.state = TaskState.PENDING;
                r.attempt--;
                r.leaseExpiresAt = null;
                index(r);
                wake(r.queue);
                released++;
            }
            return new ReleaseResponse(released);
        });
    }

    /** Stores progress when the lease is valid. */
    @Override
    public boolean progress(ProgressRequest request) {
        require(request.lease(), "lease");
        return locked(() -> {
            Rec r = fenced(request.lease(), now());
            if (r == null) {
                return false;
            }
            r.progressJson = request.progressJson();
            return true;
        });
    }

    /** Sends tasks whose lease expired back to pending, or to the dead set (poison, no attempts left). */
    @Override
    public RecoverResponse recoverExpired(RecoverRequest request) {
        return locked(() -> {
            Instant now = now();
            int requeued = 0;
            int dead = 0;
            while (requeued + dead < request.limit() && !leases.isEmpty()
                    && !leases.first().leaseExpiresAt.isAfter(now)) {
                Rec r = leases.first();
                QueueState q = queues.get(r.queue);
                unindex(r);
                r.leaseExpiresAt = null;
                r.leaseExpirations++;
                r.addError(new TaskError(r.attempt, "lease-expired",
                        "lease expired (worker " + r.workerId + ")", "", now));
                q.failed++;
                DeadReason reason = r.leaseExpirations >= request.maxLeaseExpirations() ? DeadReason.POISON
                        : r.attempt >= r.maxAttempts ? DeadReason.FAILED
                        : null;
                if (reason != null) {
                    r.deadReason = reason;
                    finish(r, TaskState.DEAD, now, r.deadRetention);
                    countDead(q, reason);
                    dead++;
                } else {
                    r.state = TaskState.PENDING;
                    r.runAt = now;
                    wake(r.queue);
                    requeued++;
                }
                index(r);
            }
            return new RecoverResponse(requeued, dead);
        });
    }

    /** Makes due scheduled and retrying tasks pending, queue by queue in name order. */
    @Override
    public PromoteResponse promote(PromoteRequest request) {
        return locked(() -> {
            Instant now = now();
            int promoted = 0;
            for (QueueState q : queues.values()) {
                admitDue(q, now);
                int before = promoted;
                while (promoted < request.limit() && !q.admitted.isEmpty()) {
                    Rec r = q.admitted.first();
                    unindex(r);
                    if (!r.runAt.isAfter(now)) {
                        r.state = TaskState.PENDING;
                        promoted++;
                    }
                    index(r); // a task no longer due (clock set back) goes back to waiting
                }
                if (promoted > before) {
                    wake(q.name);
                }
            }
            return new PromoteResponse(promoted);
        });
    }

    /** Deletes finished tasks past retention, expired keys and records, and stale heartbeats. */
    @Override
    public PruneResponse prune(PruneRequest request) {
        return locked(() -> {
            Instant now = now();
            int pruned = 0;
            while (pruned < request.limit() && !expiring.isEmpty()
                    && !expiring.first().expiresAt.isAfter(now)) {
                delete(expiring.first());
                pruned++;
            }
            uniqueKeys.values().removeIf(h -> !now.isBefore(h.until));
            idempotency.values().removeIf(h -> !now.isBefore(h.until));
            leaders.values().removeIf(h -> !now.isBefore(h.until));
            buckets.values().removeIf(b -> b.fullAtMs <= now.toEpochMilli());
            semaphores.values().forEach(holders -> holders.values().removeIf(until -> until <= now.toEpochMilli()));
            semaphores.values().removeIf(Map::isEmpty);
            workers.values().removeIf(w -> w.lastHeartbeat().plus(HEARTBEAT_WINDOW).isBefore(now));
            return new PruneResponse(pruned);
        });
    }

    /**
     * Waits until one of the queues is signalled (returns true), the timeout passes or the broker
     * is closed (false). The timeout is real time, not the broker clock.
     */
    @Override
    public boolean awaitWork(AwaitRequest request) throws InterruptedException {
        long nanos = request.timeout() == null ? 0 : request.timeout().toNanos();
        lock.lockInterruptibly(); // throws at once when already interrupted
        try {
            long[] seen = new long[request.queues().size()];
            for (int i = 0; i < seen.length; i++) {
                seen[i] = wakeCounts.getOrDefault(request.queues().get(i), 0L);
            }
            while (!closed) {
                for (int i = 0; i < seen.length; i++) {
                    if (wakeCounts.getOrDefault(request.queues().get(i), 0L) != seen[i]) {
                        return true;
                    }
                }
                if (nanos <= 0) {
                    return false;
                }
                nanos = wakeup.awaitNanos(nanos);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    // ---- inspection and administration ---------------------------------------------------

    /** Stats of the named queues (unknown ones count zero), or of every known queue; sorted by name. */
    @Override
    public List<QueueStats> stats(List<String> names) {
        return locked(() -> {
            Collection<String> selected = names.isEmpty() ? queues.keySet() : new TreeSet<>(names);
            List<QueueStats> out = new ArrayList<>(selected.size());
            for (String name : selected) {
                QueueState q = queues.get(name);
                out.add(q == null
                        ? new QueueStats(name, Map.of(), false, 0, 0, 0, 0, null)
                        : q.stats());
            }
            return out;
        });
    }

    /** A page of tasks in one state, ordered as {@code docs/spi.md} says for that state. */
    @Override
    public TaskPage list(ListRequest request) {
        require(request.state(), "state");
        return locked(() -> {
            List<Rec> matches = new ArrayList<>();
            Collection<QueueState> from = request.queue() == null
                    ? queues.values()
                    : Optional.ofNullable(queues.get(request.queue())).map(List::of).orElse(List.of());
            for (QueueState q : from) {
                matches.addAll(q.byState.get(request.state()));
            }
            matches.sort(switch (request.state()) {
                case PENDING, WAITING -> CLAIM_ORDER;
                case SCHEDULED, RETRYING -> RUN_AT_ORDER;
                case ACTIVE -> STARTED_ORDER;
                case COMPLETED, DEAD, CANCELLED -> FINISHED_DESC;
            });
            int from0 = Math.max(0, request.offset());
            int to = (int) Math.min(matches.size(), (long) from0 + Math.max(0, request.limit()));
            List<TaskInfo> page = new ArrayList<>();
            for (int i = from0; i < to; i++) {
                page.add(matches.get(i).info());
            }
            return new TaskPage(page, to < matches.size());
        });
    }

    /** The task with that id, if stored. */
    @Override
    public Optional<TaskInfo> get(String taskId) {
        return locked(() -> Optional.ofNullable(tasks.get(taskId)).map(Rec::info));
    }

    /** Applies one administrative command atomically; returns the count affected. */
    @Override
    public AdminResponse admin(AdminCommand command) {
        return locked(() -> new AdminResponse(switch (command) {
            case AdminCommand.Retry c -> {
                Rec r = tasks.get(c.taskId());
                yield r != null && retry(r) ? 1 : 0;
            }
            case AdminCommand.Cancel c -> cancel(tasks.get(c.taskId()));
            case AdminCommand.Delete c -> {
                Rec r = tasks.get(c.taskId());
                if (r == null || r.state == TaskState.ACTIVE) {
                    yield 0;
                }
                delete(r);
                yield 1;
            }
            case AdminCommand.Purge c -> {
                QueueState q = queues.get(c.queue());
                long n = 0;
                if (q != null) {
                    for (TaskState s : c.states()) {
                        if (s == TaskState.ACTIVE) {
                            continue;
                        }
                        for (Rec r : List.copyOf(q.byState.get(s))) {
                            delete(r);
                            n++;
                        }
                    }
                }
                yield n;
            }
            case AdminCommand.ReplayDead c -> {
                long n = 0;
                Collection<QueueState> from = c.queue() == null
                        ? queues.values()
                        : Optional.ofNullable(queues.get(c.queue())).map(List::of).orElse(List.of());
                for (QueueState q : from) {
                    for (Rec r : List.copyOf(q.byState.get(TaskState.DEAD))) {
                        if (retry(r)) {
                            n++;
                        }
                    }
                }
                yield n;
            }
            case AdminCommand.Pause c -> {
                QueueState q = queue(c.queue());
                boolean changed = !q.paused;
                q.paused = true;
                yield changed ? 1 : 0;
            }
            case AdminCommand.Resume c -> {
                QueueState q = queues.get(c.queue());
                if (q == null || !q.paused) {
                    yield 0;
                }
                q.paused = false;
                wake(q.name); // its ready tasks can be claimed again
                yield 1;
            }
        }));
    }

    // ---- coordination -----------------------------------------------------------------------

    /** Returns the live record for the key, or stores {@code resultJson} when there is none. */
    @Override
    public Optional<String> idempotency(IdempotencyRequest request) {
        return locked(() -> {
            Instant now = now();
            Hold h = idempotency.get(request.key());
            if (h != null && now.isBefore(h.until)) {
                return Optional.of(h.value);
            }
            if (request.resultJson() == null) {
                idempotency.remove(request.key());
                return Optional.empty();
            }
            idempotency.put(request.key(), new Hold(null, request.resultJson(), now.plus(request.ttl())));
            return Optional.of(request.resultJson());
        });
    }

    /** Grants the named lease when free, expired or already held by the caller. */
    @Override
    public LeaderResponse lead(LeaderRequest request) {
        return locked(() -> {
            Instant now = now();
            Hold h = leaders.get(request.name());
            if (h == null || !now.isBefore(h.until) || h.owner.equals(request.holder())) {
                Hold granted = new Hold(request.holder(), null, now.plus(request.ttl()));
                leaders.put(request.name(), granted);
                return new LeaderResponse(true, granted.owner, granted.until);
            }
            return new LeaderResponse(false, h.owner, h.until);
        });
    }

    // ---- flow control and records ---------------------------------------------------------

    /** Token buckets and semaphores, each operation atomic under the broker lock. */
    @Override
    public PermitResponse permits(PermitRequest request) {
        return locked(() -> {
            long now = now().toEpochMilli();
            List<PermitResponse.Result> results = new ArrayList<>();
            for (PermitOp op : request.ops()) {
                results.add(switch (op) {
                    case PermitOp.Take take -> take(take, now);
                    case PermitOp.Acquire acquire -> acquire(acquire, now);
                    case PermitOp.Release release -> {
                        Map<String, Long> holders = semaphores.getOrDefault(release.name(), Map.of());
                        Long until = holders.get(release.holder());
                        if (until != null) {
                            semaphores.get(release.name()).remove(release.holder());
                        }
                        yield new PermitResponse.Result(until != null && until > now, null);
                    }
                });
            }
            return new PermitResponse(results);
        });
    }

    private PermitResponse.Result take(PermitOp.Take take, long now) {
        double perMs = take.per().toMillis();
        Bucket b = buckets.get(take.name());
        double tokens = b == null || b.fullAtMs <= now
                ? take.burst()
                : Math.min(take.burst(), b.tokens + (now - b.atMs) * take.limit() / perMs);
        PermitResponse.Result result;
        if (tokens >= 1) {
            tokens -= 1;
            result = PermitResponse.Result.grant();
        } else {
            result = PermitResponse.Result.deny(Instant.ofEpochMilli(now + (long) Math.ceil((1 - tokens) * perMs / take.limit())));
        }
        long fullAt = now + (long) Math.ceil((take.burst() - tokens) * perMs / take.limit());
        buckets.put(take.name(), new Bucket(tokens, now, fullAt));
        return result;
    }

    private PermitResponse.Result acquire(PermitOp.Acquire acquire, long now) {
        Map<String, Long> holders = semaphores.computeIfAbsent(acquire.name(), k -> new HashMap<>());
        holders.values().removeIf(until -> until <= now);
        if (holders.containsKey(acquire.holder()) || holders.size() < acquire.limit()) {
            holders.put(acquire.holder(), now + acquire.ttl().toMillis());
            return PermitResponse.Result.grant();
        }
        long earliest = holders.values().stream().mapToLong(Long::longValue).min().orElse(now);
        return PermitResponse.Result.deny(Instant.ofEpochMilli(earliest));
    }

    /** Records kept in sorted maps per namespace. */
    @Override
    public RecordResponse records(RecordCommand command) {
        return locked(() -> {
            TreeMap<String, RecordResponse.Entry> ns = records.computeIfAbsent(command.namespace(), k -> new TreeMap<>());
            return switch (command) {
                case RecordCommand.Put put -> {
                    if (put.onlyIfAbsent() && ns.containsKey(put.key())) {
                        yield RecordResponse.count(0);
                    }
                    ns.put(put.key(), new RecordResponse.Entry(put.key(), put.json(), now()));
                    yield RecordResponse.count(1);
                }
                case RecordCommand.Get get -> {
                    RecordResponse.Entry e = ns.get(get.key());
                    yield e == null ? RecordResponse.count(0) : new RecordResponse(1, List.of(e));
                }
                case RecordCommand.All all -> new RecordResponse(ns.size(), List.copyOf(ns.values()));
                case RecordCommand.Delete delete -> RecordResponse.count(ns.remove(delete.key()) == null ? 0 : 1);
            };
        });
    }

    /** Records the worker with {@code lastHeartbeat} set to broker-now. */
    @Override
    public void heartbeat(WorkerInfo worker) {
        locked(() -> workers.put(worker.workerId(), new WorkerInfo(worker.workerId(), worker.host(),
                worker.pid(), worker.queues(), worker.concurrency(), worker.busy(), worker.startedAt(), now())));
    }

    /** Workers whose last heartbeat is less than 60 s old, sorted by id. */
    @Override
    public List<WorkerInfo> workers() {
        return locked(() -> {
            Instant now = now();
            return workers.values().stream()
                    .filter(w -> now.isBefore(w.lastHeartbeat().plus(HEARTBEAT_WINDOW)))
                    .sorted(Comparator.comparing(WorkerInfo::workerId))
                    .toList();
        });
    }

    /** Forgets the worker's heartbeat. */
    @Override
    public void unregister(String workerId) {
        locked(() -> workers.remove(workerId));
    }

    /** Marks the broker closed and wakes every waiting {@code awaitWork}. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            wakeup.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- internals ---------------------------------------------------------------------------

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            if (closed) {
                throw new BrokerException("the in-memory broker is closed", false);
            }
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private Instant now() {
        return clock.instant();
    }

    /** Refuses a task the core could never have produced, before anything of the batch is stored. */
    private static void check(NewTask t) {
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

    private static void require(Object value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "must not be null");
        }
    }

    /** The id of the task holding the key at {@code now}, or null when it is free. */
    private String uniqueHolder(String key, Instant now) {
        Hold h = uniqueKeys.get(key);
        if (h == null) {
            return null;
        }
        Rec holder = tasks.get(h.owner);
        if (!now.isBefore(h.until) || holder == null || holder.state.isFinished()) {
            uniqueKeys.remove(key);
            return null;
        }
        return h.owner;
    }

    private void releaseKey(Rec r) {
        if (r.uniqueKey != null) {
            Hold h = uniqueKeys.get(r.uniqueKey);
            // After uniqueFor another task may hold the key: only the holder releases it.
            if (h != null && h.owner.equals(r.id)) {
                uniqueKeys.remove(r.uniqueKey);
            }
        }
    }

    private QueueState queue(String name) {
        return queues.computeIfAbsent(name, QueueState::new);
    }

    private void wake(String queue) {
        wakeCounts.merge(queue, 1L, Long::sum);
        wakeup.signalAll();
    }

    private Rec fenced(Lease lease, Instant now) {
        Rec r = tasks.get(lease.taskId());
        if (r == null || r.state != TaskState.ACTIVE || r.token != lease.token()
                || !now.isBefore(r.leaseExpiresAt)) {
            return null;
        }
        return r;
    }

    /** Sets a finished state; the caller has unindexed the task and indexes it again. */
    private void finish(Rec r, TaskState state, Instant now, Duration keep) {
        r.state = state;
        r.finishedAt = now;
        r.expiresAt = now.plus(keep);
        r.leaseExpiresAt = null;
        releaseKey(r);
    }

    private static void countDead(QueueState q, DeadReason reason) {
        q.dead++;
        if (reason == DeadReason.POISON) {
            q.poisoned++;
        }
    }

    /** Admin retry (and replay): back to pending now, attempts reset. False when not retryable. */
    private boolean retry(Rec r) {
        switch (r.state) {
            case DEAD, RETRYING, SCHEDULED, CANCELLED -> {
                unindex(r);
                r.state = TaskState.PENDING;
                r.runAt = now();
                r.attempt = 0;
                r.leaseExpirations = 0;
                r.deadReason = null;
                r.finishedAt = null;
                r.expiresAt = null;
                index(r);
                wake(r.queue);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private int cancel(Rec r) {
        if (r == null) {
            return 0;
        }
        switch (r.state) {
            case PENDING, SCHEDULED, RETRYING, WAITING -> {
                unindex(r);
                finish(r, TaskState.CANCELLED, now(), r.retention);
                index(r);
                return 1;
            }
            case ACTIVE -> {
                r.cancelRequested = true;
                return 1;
            }
            default -> {
                return 0;
            }
        }
    }

    private void delete(Rec r) {
        unindex(r);
        tasks.remove(r.id);
        releaseKey(r);
    }

    /**
     * The fair position of a tenanted task entering PENDING ({@code docs/spi.md}, "Fair claim
     * order"): one step after the tenant's last pending task, but never before the head of its
     * priority in the queue (or now, when that priority has none pending).
     */
    private static Instant fairPosition(QueueState q, Rec r, Instant now) {
        TreeSet<Rec> band = q.pendingByPriority.get(r.priority);
        Instant position = band == null || band.isEmpty() ? now : band.first().position();
        TreeSet<Rec> tenant = q.pendingByTenant.get(tenantKey(r));
        if (tenant != null && !tenant.isEmpty()) {
            Instant next = tenant.last().position().plusMillis(1);
            position = next.isAfter(position) ? next : position;
        }
        return position;
    }

    private static String tenantKey(Rec r) {
        return r.priority + "|" + r.tenant;
    }

    /** Moves due scheduled/retrying tasks into the ready set without changing their state. */
    private static void admitDue(QueueState q, Instant now) {
        while (!q.waiting.isEmpty() && !q.waiting.first().runAt.isAfter(now)) {
            Rec r = q.waiting.pollFirst();
            r.admitted = true;
            q.ready.add(r);
            q.admitted.add(r);
        }
    }

    /**
     * Adds the task to the indexes of its state. Sorted sets key on mutable fields, so every change
     * of state, run-at, lease or expiry goes unindex, change, index.
     */
    private void index(Rec r) {
        if (r.state != TaskState.PENDING) {
            r.fairAt = null; // a fair position lives only while PENDING from enqueue
        }
        QueueState q = queue(r.queue);
        q.byState.get(r.state).add(r);
        switch (r.state) {
            case PENDING -> {
                q.ready.add(r);
                q.pendingByRunAt.add(r);
                q.pendingByPriority.computeIfAbsent(r.priority, p -> new TreeSet<>(CLAIM_ORDER)).add(r);
                if (r.tenant != null) {
                    q.pendingByTenant.computeIfAbsent(tenantKey(r), k -> new TreeSet<>(CLAIM_ORDER)).add(r);
                }
            }
            case SCHEDULED, RETRYING -> q.waiting.add(r);
            case ACTIVE -> leases.add(r);
            case COMPLETED, DEAD, CANCELLED -> expiring.add(r);
            case WAITING -> { }
        }
    }

    private void unindex(Rec r) {
        QueueState q = queues.get(r.queue);
        q.byState.get(r.state).remove(r);
        switch (r.state) {
            case PENDING -> {
                q.ready.remove(r);
                q.pendingByRunAt.remove(r);
                removeFrom(q.pendingByPriority, r.priority, r);
                if (r.tenant != null) {
                    removeFrom(q.pendingByTenant, tenantKey(r), r);
                }
            }
            case SCHEDULED, RETRYING -> {
                if (r.admitted) {
                    q.ready.remove(r);
                    q.admitted.remove(r);
                    r.admitted = false;
                } else {
                    q.waiting.remove(r);
                }
            }
            case ACTIVE -> leases.remove(r);
            case COMPLETED, DEAD, CANCELLED -> expiring.remove(r);
            case WAITING -> { }
        }
    }

    private static <K> void removeFrom(Map<K, TreeSet<Rec>> index, K key, Rec r) {
        TreeSet<Rec> set = index.get(key);
        if (set != null && set.remove(r) && set.isEmpty()) {
            index.remove(key);
        }
    }

    private static int instantThenSeq(Instant x, Instant y, Rec a, Rec b) {
        int c = x.compareTo(y);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    }

    /** A key, record or lease held by {@code owner} (or holding {@code value}) until {@code until}. */
    private record Bucket(double tokens, long atMs, long fullAtMs) {
    }

    private record Hold(String owner, String value, Instant until) {
    }

    /** One queue: its flag, totals and indexes. */
    private static final class QueueState {
        final String name;
        boolean paused;
        long processed;
        long failed;
        long dead;
        long poisoned;
        final EnumMap<TaskState, Set<Rec>> byState = new EnumMap<>(TaskState.class);
        /** Claimable tasks in claim order: PENDING ones plus admitted due SCHEDULED/RETRYING ones. */
        final TreeSet<Rec> ready = new TreeSet<>(CLAIM_ORDER);
        /** SCHEDULED/RETRYING tasks not yet admitted, by run-at. */
        final TreeSet<Rec> waiting = new TreeSet<>(RUN_AT_ORDER);
        /** SCHEDULED/RETRYING tasks that are in {@link #ready} (due but not promoted), by run-at. */
        final TreeSet<Rec> admitted = new TreeSet<>(RUN_AT_ORDER);
        final TreeSet<Rec> pendingByRunAt = new TreeSet<>(RUN_AT_ORDER);
        /** PENDING tasks in claim order, per priority: the head of each gives a fair position's floor. */
        final Map<Integer, TreeSet<Rec>> pendingByPriority = new HashMap<>();
        /** PENDING tenanted tasks in claim order, per priority and tenant. */
        final Map<String, TreeSet<Rec>> pendingByTenant = new HashMap<>();

        QueueState(String name) {
            this.name = name;
            for (TaskState s : TaskState.values()) {
                byState.put(s, new HashSet<>());
            }
        }

        QueueStats stats() {
            EnumMap<TaskState, Long> counts = new EnumMap<>(TaskState.class);
            byState.forEach((s, set) -> counts.put(s, (long) set.size()));
            Instant oldest = pendingByRunAt.isEmpty() ? null : pendingByRunAt.first().runAt;
            return new QueueStats(name, counts, paused, processed, failed, dead, poisoned, oldest);
        }
    }

    /** The mutable stored form of a task. Identity equality: sets tell tasks apart by seq. */
    private static final class Rec {
        final String id;
        final String queue;
        final String type;
        final String payloadJson;
        final int priority;
        final int maxAttempts;
        final Duration timeout;
        final Instant enqueuedAt;
        final String uniqueKey;
        final Map<String, String> headers;
        final Duration retention;
        final Duration deadRetention;
        final long seq;

        TaskState state;
        int attempt;
        Instant runAt;
        Instant startedAt;
        Instant finishedAt;
        Instant expiresAt;
        Instant leaseExpiresAt;
        String workerId;
        String progressJson;
        String resultJson;
        final List<TaskError> errors = new ArrayList<>();
        int leaseExpirations;
        boolean cancelRequested;
        DeadReason deadReason;
        long token;
        boolean admitted;
        final String tenant;
        /** The fair position while PENDING from enqueue (tenanted tasks only), else null. */
        Instant fairAt;

        Rec(NewTask t, long seq, Instant now) {
            this.id = t.id();
            this.queue = t.queue();
            this.type = t.type();
            this.payloadJson = t.payloadJson();
            this.priority = t.priority();
            this.maxAttempts = t.maxAttempts();
            this.timeout = t.timeout();
            this.enqueuedAt = now;
            this.uniqueKey = t.uniqueKey();
            this.headers = t.headers();
            this.retention = t.retention();
            this.deadRetention = t.deadRetention();
            this.seq = seq;
            this.tenant = t.tenant();
            this.runAt = t.eligibleAt(now);
            this.state = runAt.isAfter(now) ? TaskState.SCHEDULED : TaskState.PENDING;
        }

        /** Where the task stands in claim order within its priority. */
        Instant position() {
            return fairAt != null ? fairAt : runAt;
        }

        void addError(TaskError error) {
            if (error == null) {
                return;
            }
            errors.add(error);
            if (errors.size() > MAX_ERRORS) {
                errors.remove(0);
            }
        }

        ClaimedTask claimed() {
            return new ClaimedTask(new Lease(id, token), queue, type, payloadJson, priority, attempt,
                    maxAttempts, timeout, enqueuedAt, leaseExpiresAt, headers);
        }

        TaskInfo info() {
            return new TaskInfo(id, queue, type, payloadJson, priority, state, attempt, maxAttempts, timeout,
                    runAt, enqueuedAt, startedAt, finishedAt, expiresAt, leaseExpiresAt, workerId, uniqueKey,
                    progressJson, resultJson, errors, leaseExpirations, cancelRequested, deadReason, headers,
                    retention, deadRetention);
        }
    }
}
