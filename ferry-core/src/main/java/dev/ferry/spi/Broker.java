package dev.ferry.spi;

import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.WorkerInfo;
import java.util.List;
import java.util.Optional;

/**
 * The storage contract every backend keeps. Small, atomic, batch-first operations: each takes
 * one request record and returns one response record, so adding a field never breaks a backend.
 *
 * <p>The promises (at-least-once, fenced leases, duplicates only after lease expiry, bad input
 * refused whole) are specified by the conformance suite in {@code ferry-testing}, which every
 * backend runs with the same assertions. Time for due times and leases is the broker's own
 * (its server's clock, or an injected {@link java.time.Clock} for embedded stores), never the
 * caller's. Failures of the backend surface as {@link dev.ferry.BrokerException}; no backend
 * exception type crosses this interface.
 *
 * <p>Implementations are thread-safe and shared by every client, worker and inspector of a process.
 */
public interface Broker extends AutoCloseable {

    /** What this broker offers. */
    BrokerCapabilities capabilities();

    // ---- task lifecycle -------------------------------------------------------------------

    /** Store tasks, each atomically with its id and unique-key checks. */
    EnqueueResponse enqueue(EnqueueRequest request);

    /** Lease up to {@code max} ready tasks from the queues in order. See {@link ClaimRequest}. */
    ClaimResponse claim(ClaimRequest request);

    /** Extend leases; report the lost ones and those asked to cancel. */
    RenewResponse renew(RenewRequest request);

    /** Record attempt outcomes, each fenced by its lease. */
    AckResponse ack(AckRequest request);

    /** Give leases back without counting the attempt (graceful shutdown). */
    ReleaseResponse release(ReleaseRequest request);

    /** Store progress for a running task; false when the lease is lost. */
    boolean progress(ProgressRequest request);

    /** Expired leases back to pending, or dead when poison or out of attempts. */
    RecoverResponse recoverExpired(RecoverRequest request);

    /** Due scheduled and retrying tasks to pending. */
    PromoteResponse promote(PromoteRequest request);

    /** Delete what outlived its retention. */
    PruneResponse prune(PruneRequest request);

    /**
     * Block until work may be ready in one of the queues or the timeout passes; returns true when
     * woken by a signal. Implementations must return promptly when {@link #close()} is called.
     */
    boolean awaitWork(AwaitRequest request) throws InterruptedException;

    // ---- inspection and administration ---------------------------------------------------

    /** Stats of the named queues, or of every known queue when the list is empty. */
    List<QueueStats> stats(List<String> queues);

    /** One page of tasks in a state. */
    TaskPage list(ListRequest request);

    /** One task, if stored. */
    Optional<TaskInfo> get(String taskId);

    /** Apply an administrative command. */
    AdminResponse admin(AdminCommand command);

    // ---- coordination -----------------------------------------------------------------------

    /** Read or store-if-absent an idempotency record; returns the stored value, if any. */
    Optional<String> idempotency(IdempotencyRequest request);

    /** Take or keep a named leader lease. */
    LeaderResponse lead(LeaderRequest request);

    /** Record a worker's heartbeat (kept for a short time after the last one). */
    void heartbeat(WorkerInfo worker);

    /** Workers whose heartbeat is recent. */
    List<WorkerInfo> workers();

    /** Remove a worker's heartbeat (it stopped). */
    void unregister(String workerId);

    /** Release connections and files. Idempotent. */
    // ---- flow control and stored records ----------------------------------------------------

    /**
     * Applies token-bucket and semaphore operations against state shared by every worker of the
     * backend, each atomically, in order, on broker time. See {@link PermitOp}.
     *
     * @param request the operations
     * @return one result per operation
     * @throws UnsupportedOperationException by a backend that has no flow control
     */
    default PermitResponse permits(PermitRequest request) {
        throw new UnsupportedOperationException(capabilities().name() + " broker has no flow control (permits)");
    }

    /**
     * Stores, reads, lists or deletes a small JSON record kept until deleted (cron schedules,
     * limit definitions). See {@link RecordCommand}.
     *
     * @param command the command
     * @return what it did
     * @throws UnsupportedOperationException by a backend that keeps no records
     */
    default RecordResponse records(RecordCommand command) {
        throw new UnsupportedOperationException(capabilities().name() + " broker keeps no records");
    }

    @Override
    void close();
}
