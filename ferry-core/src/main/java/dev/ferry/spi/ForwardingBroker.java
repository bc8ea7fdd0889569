package dev.ferry.spi;

import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.WorkerInfo;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A broker that forwards every call to another. Backends use it so their public class can stay a
 * small facade (builder, settings, backend-specific extras) over an internal implementation; it
 * also suits decorators (tracing, fault injection in tests). Override what you change.
 */
public abstract class ForwardingBroker implements Broker {
    private final Broker delegate;

    protected ForwardingBroker(Broker delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The broker calls are forwarded to. */
    protected Broker delegate() {
        return delegate;
    }

    @Override
    public BrokerCapabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public EnqueueResponse enqueue(EnqueueRequest request) {
        return delegate.enqueue(request);
    }

    @Override
    public ClaimResponse claim(ClaimRequest request) {
        return delegate.claim(request);
    }

    @Override
    public RenewResponse renew(RenewRequest request) {
        return delegate.renew(request);
    }

    @Override
    public AckResponse ack(AckRequest request) {
        return delegate.ack(request);
    }

    @Override
    public ReleaseResponse release(ReleaseRequest request) {
        return delegate.release(request);
    }

    @Override
    public boolean progress(ProgressRequest request) {
        return delegate.progress(request);
    }

    @Override
    public RecoverResponse recoverExpired(RecoverRequest request) {
        return delegate.recoverExpired(request);
    }

    @Override
    public PromoteResponse promote(PromoteRequest request) {
        return delegate.promote(request);
    }

    @Override
    public PruneResponse prune(PruneRequest request) {
        return delegate.prune(request);
    }

    @Override
    public boolean awaitWork(AwaitRequest request) throws InterruptedException {
        return delegate.awaitWork(request);
    }

    @Override
    public List<QueueStats> stats(List<String> queues) {
        return delegate.stats(queues);
    }

    @Override
    public TaskPage list(ListRequest request) {
        return delegate.list(request);
    }

    @Override
    public Optional<TaskInfo> get(String taskId) {
        return delegate.get(taskId);
    }

    @Override
    public AdminResponse admin(AdminCommand command) {
        return delegate.admin(command);
    }

    @Override
    public Optional<String> idempotency(IdempotencyRequest request) {
        return delegate.idempotency(request);
    }

    @Override
    public LeaderResponse lead(LeaderRequest request) {
        return delegate.lead(request);
    }

    @Override
    public void heartbeat(WorkerInfo worker) {
        delegate.heartbeat(worker);
    }

    @Override
    public List<WorkerInfo> workers() {
        return delegate.workers();
    }

    @Override
    public void unregister(String workerId) {
        delegate.unregister(workerId);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }

    @Override
    public PermitResponse permits(PermitRequest request) {
        return delegate.permits(request);
    }

    @Override
    public RecordResponse records(RecordCommand command) {
        return delegate.records(command);
    }
}
