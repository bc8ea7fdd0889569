package dev.ferry.postgres.internal;

import dev.ferry.BrokerException;
import dev.ferry.InvalidInputException;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.WorkerInfo;
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
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import dev.ferry.spi.ProgressRequest;
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
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PostgreSQL broker's implementation: every operation is one transaction run by {@link Db};
 * wake-ups go through the {@link Notifier} (fed by the {@link Listener} when notify is on).
 */
public final class PgStore implements Broker {
    private final Db db;
    private final Notifier notifier;
    private final Listener listener;
    private final AutoCloseable pool;
    private final BrokerCapabilities capabilities;
    private final AtomicBoolean closed = new AtomicBoolean();
    private static final long GROWTH_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** When promote last checked whether the hot table outgrew its statistics. */
    private final AtomicLong lastGrowthCheck = new AtomicLong(System.nanoTime() - GROWTH_CHECK_NANOS);

    /**
     * @param listener the LISTEN thread (started), or null when notify is off
     * @param pool     closed with the broker when the broker opened it, else null
     */
    public PgStore(Db db, Notifier notifier, Listener listener, AutoCloseable pool) {
        this.db = db;
        this.notifier = notifier;
        this.listener = listener;
        this.pool = pool;
        this.capabilities = new BrokerCapabilities("postgres", listener != null, true, true, true);
    }

    public Db db() {
        return db;
    }

    /** True while the LISTEN connection is up (always false with notify off). */
    public boolean isListening() {
        return listener != null && listener.isListening();
    }

    @Override
    public BrokerCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public EnqueueResponse enqueue(EnqueueRequest request) {
        Enqueues.check(request.tasks());
        if (request.tasks().isEmpty()) {
            return new EnqueueResponse(List.of());
        }
        return db.tx("enqueue", tx -> Enqueues.enqueue(tx, request.tasks()));
    }

    @Override
    public ClaimResponse claim(ClaimRequest request) {
        Leases.require(request.lease(), "lease");
        Leases.require(request.workerId(), "workerId");
        notifier.beforeClaim(request.queues());
        List<String> queues = Claims.queues(request);
        if (request.max() < 1 || queues.isEmpty()) {
            return new ClaimResponse(List.of());
        }
        if (queues.size() != 1) {
            return new ClaimResponse(db.tx("claim", tx -> Claims.claim(tx, request)));
        }
        String queue = queues.get(0);
        List<ClaimedTask> tasks = db.single("claim", tx -> Claims.claimGuarded(tx, request, queue, request.max()));
        if (tasks == null) {
            tasks = db.tx("claim", tx -> Claims.claimAfterPromoting(tx, request, queue, request.max()));
        }
        return new ClaimResponse(tasks);
    }

    @Override
    public RenewResponse renew(RenewRequest request) {
        Leases.require(request.lease(), "lease");
        Leases.checkLeases(request.leases());
        if (request.leases().isEmpty()) {
            return new RenewResponse(Set.of(), Set.of());
        }
        return db.single("renew", tx -> Leases.renew(tx, request));
    }

    @Override
    public AckResponse ack(AckRequest request) {
        Leases.check(request.acks());
        if (request.acks().isEmpty()) {
            return new AckResponse(Set.of());
        }
        return new AckResponse(db.tx("ack", tx -> Leases.ack(tx, request.acks())));
    }

    @Override
    public ReleaseResponse release(ReleaseRequest request) {
        Leases.checkLeases(request.leases());
        if (request.leases().isEmpty()) {
            return new ReleaseResponse(0);
        }
        return new ReleaseResponse(db.tx("release", tx -> Leases.release(tx, request.leases())));
    }

    @Override
    public boolean progress(ProgressRequest request) {
        Leases.require(request.lease(), "lease");
        Leases.checkLeases(List.of(request.lease()));
        return db.single("progress", tx -> Leases.progress(tx, request));
    }

    @Override
    public RecoverResponse recoverExpired(RecoverRequest request) {
        if (request.limit() < 1) {
            return new RecoverResponse(0, 0);
        }
        return db.tx("recoverExpired", tx -> Upkeep.recover(tx, request));
    }

    @Override
    public PromoteResponse promote(PromoteRequest request) {
        if (request.limit() < 1) {
            return new PromoteResponse(0);
        }
        PromoteResponse promoted = db.tx("promote", tx -> Upkeep.promote(tx, request.limit()));
        // Promotion runs about once a second in every worker: a cheap place to keep statistics
        // up with a table that grew fast; checked at most every few seconds per process.
        long now = System.nanoTime();
        long last = lastGrowthCheck.get();
        if (now - last >= GROWTH_CHECK_NANOS && lastGrowthCheck.compareAndSet(last, now)) {
            db.tx("analyzeIfGrown", Upkeep::analyzeIfGrown);
        }
        return promoted;
    }

    @Override
    public PruneResponse prune(PruneRequest request) {
        return db.tx("prune", tx -> Upkeep.prune(tx, Math.max(0, request.limit())));
    }

    /**
     * Waits for a wake-up of one of the queues: a notification from any process (notify on) or a
     * commit of this process. With notify off this is a plain timed wait, cut short only by this
     * process's own commits: callers poll.
     */
    @Override
    public boolean awaitWork(AwaitRequest request) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (closed.get()) {
            return false;
        }
        return notifier.await(request.queues(), request.timeout());
    }

    @Override
    public List<QueueStats> stats(List<String> queues) {
        Objects.requireNonNull(queues, "queues");
        return db.tx("stats", tx -> Reads.stats(tx, queues));
    }

    @Override
    public TaskPage list(ListRequest request) {
        if (request.state() == null) {
            throw new InvalidInputException("state", "must not be null");
        }
        return db.tx("list", tx -> Reads.list(tx, request));
    }

    @Override
    public Optional<TaskInfo> get(String taskId) {
        if (taskId == null) {
            return Optional.empty();
        }
        return db.tx("get", tx -> Reads.get(tx, taskId));
    }

    @Override
    public AdminResponse admin(AdminCommand command) {
        Objects.requireNonNull(command, "command");
        return new AdminResponse(db.tx("admin", tx -> Admin.run(tx, command)));
    }

    @Override
    public Optional<String> idempotency(IdempotencyRequest request) {
        Leases.require(request.key(), "key");
        if (request.resultJson() == null) {
            return db.tx("idempotency", tx -> Reads.idempotency(tx, request.key()));
        }
        Leases.require(request.ttl(), "ttl");
        return db.tx("idempotency", tx -> {
            try (ResultSet rs = tx.stmt("idempotency_put").text("key", request.key())
                    .text("value", request.resultJson()).micros("ttl_us", request.ttl()).query()) {
                rs.next();
                return Optional.of(rs.getString(1));
            }
        });
    }

    @Override
    public LeaderResponse lead(LeaderRequest request) {
        Leases.require(request.name(), "name");
        Leases.require(request.holder(), "holder");
        Leases.require(request.ttl(), "ttl");
        return db.tx("lead", tx -> {
            try (ResultSet rs = tx.stmt("lead").text("name", request.name()).text("holder", request.holder())
                    .micros("ttl_us", request.ttl()).query()) {
                rs.next();
                String holder = rs.getString(1);
                return new LeaderResponse(holder.equals(request.holder()), holder, Rows.instant(rs, "until"));
            }
        });
    }

    /**
     * Each operation in a transaction of its own (see {@link Permits}): atomic on its own, on the
     * database's time as it runs.
     */
    @Override
    public PermitResponse permits(PermitRequest request) {
        Objects.requireNonNull(request, "request");
        List<PermitResponse.Result> results = new ArrayList<>(request.ops().size());
        for (PermitOp op : request.ops()) {
            Leases.require(op, "op");
            // A take or release is one statement: auto-commit, one round trip. An acquire is two
            // (lock, then decide), the second carrying the COMMIT.
            results.add(op instanceof PermitOp.Acquire
                    ? db.tx("permits", tx -> Permits.apply(tx, op))
                    : db.single("permits", tx -> Permits.apply(tx, op)));
        }
        return new PermitResponse(results);
    }

    @Override
    public RecordResponse records(RecordCommand command) {
        Leases.require(command, "command");
        return db.single("records", tx -> Records.run(tx, command));
    }

    @Override
    public void heartbeat(WorkerInfo worker) {
        Objects.requireNonNull(worker, "worker");
        db.tx("heartbeat", tx -> tx.stmt("heartbeat").text("worker_id", worker.workerId())
                .text("host", worker.host()).int8("pid", worker.pid()).textArray("queues", worker.queues())
                .int4("concurrency", worker.concurrency()).int4("busy", worker.busy())
                .instant("started_at", worker.startedAt()).update());
    }

    @Override
    public List<WorkerInfo> workers() {
        return db.tx("workers", Reads::workers);
    }

    @Override
    public void unregister(String workerId) {
        db.tx("unregister", tx -> tx.stmt("unregister").text("worker_id", workerId).update());
    }

    /** Releases waiters, stops the listener, refuses further operations and closes an owned pool. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        db.close();
        notifier.close();
        if (listener != null) {
            listener.close();
        }
        if (pool != null) {
            try {
                pool.close();
            } catch (Exception e) {
                throw new BrokerException("postgres broker: closing the connection pool failed: " + e.getMessage(),
                        false, e);
            }
        }
    }
}
