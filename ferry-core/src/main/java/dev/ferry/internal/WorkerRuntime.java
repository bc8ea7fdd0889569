package dev.ferry.internal;

import dev.ferry.JsonCodec;
import dev.ferry.TaskEvent;
import dev.ferry.Worker;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.Ack;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.Lease;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.ReleaseRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A worker: the fetch loop claims, one virtual thread per task runs the handler, the lease keeper
 * renews, the ack batcher records outcomes, and the maintenance duties keep the store moving.
 *
 * <h2>Life of a task inside a worker</h2>
 * Claimed (holding one capacity permit) → waits for a handler slot → runs → its outcome goes to
 * the ack batcher and the permit is freed for the next claim → once the ack is applied it leaves
 * {@code inFlight}. Until then the lease keeper renews it, so a slow ack never costs a lease.
 *
 * <h2>Graceful shutdown</h2>
 * Stop claiming; wait up to the grace period for in-flight tasks to finish and be acked; then
 * interrupt the rest and release their leases (back to pending, attempt not counted); flush acks;
 * stop the duties; remove the heartbeat. Each in-flight task ends exactly once: a CAS on its
 * state decides between "finished by its handler", "released by shutdown" and "lease lost".
 */
public final class WorkerRuntime implements Worker {
    private static final System.Logger LOG = System.getLogger("dev.ferry.worker");

    private final Broker broker;
    private final WorkerConfig config;
    private final TaskRunner runner;
    private final dev.ferry.internal.workflow.WorkflowEngine workflows;
    private final Events events;
    private final Map<String, RunningTask> inFlight = new ConcurrentHashMap<>();
    private final Semaphore capacity;
    private final Semaphore slots;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    /** Lease renewals and timeouts: quick, and late at our peril, so never behind a slow prune. */
    private final ScheduledThreadPoolExecutor leaseScheduler;
    /** Housekeeping: promote, recover, prune, heartbeat. */
    private final ScheduledThreadPoolExecutor scheduler;
    private final AckBatcher acks;
    private final FetchLoop fetch;
    private final FlowControl flow;
    private final List<PeriodicDuty> duties = new ArrayList<>();
    private final LeaseKeeper leaseKeeper;
    private final Instant startedAt = Instant.now();
    private volatile boolean started;
    private volatile boolean stopped;

    public WorkerRuntime(Broker broker, JsonCodec codec, WorkerConfig config) {
        this.broker = broker;
        this.config = config;
        this.events = new Events(config.listeners());
        this.runner = new TaskRunner(broker, codec, config, events);
        this.workflows = new dev.ferry.internal.workflow.WorkflowEngine(broker, codec);
        this.capacity = new Semaphore(config.concurrency() + config.prefetch());
        this.slots = new Semaphore(config.concurrency());
        this.scheduler = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("ferry-duties-" + config.workerId(), 0).factory());
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.leaseScheduler = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("ferry-leases-" + config.workerId(), 0).factory());
        this.leaseScheduler.setRemoveOnCancelPolicy(true);
        this.acks = new AckBatcher(broker, config.workerId(), this::acked);
        this.flow = new FlowControl(broker, config.limits(), config.lease(), min(config.pollInterval(), Duration.ofSeconds(1)));
        this.fetch = new FetchLoop(broker, config, capacity, this::dispatch, flow);
        this.leaseKeeper = new LeaseKeeper(broker, config.lease(), inFlight.values(), this::leaseLost, this::cancelRequested);
        duties.add(leaseKeeper);
        if (flow.enabled()) {
            duties.add(new FlowControl.Keeper(flow, inFlight.values(), config.lease()));
        }
        if (!config.aggregations().isEmpty()) {
            duties.add(new Aggregator(broker, config.workerId(), config.queues().queues(), config.aggregations(),
                    min(config.pollInterval(), Duration.ofSeconds(1))));
        }
        duties.add(new Heartbeat());
        if (config.maintenance()) {
            duties.add(new Maintenance.Promoter(broker, Duration.ofSeconds(1)));
            duties.add(new Maintenance.Recoverer(broker, min(config.lease().dividedBy(2), Duration.ofSeconds(5)), config.maxLeaseExpirations(), workflows));
            duties.add(new Maintenance.Pruner(broker, Duration.ofSeconds(30)));
        }
    }

    /** host-pid-random: unique per worker instance, readable in the dashboard. */
    public static String newWorkerId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "host";
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "-");
        if (host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0))) {
            host = "h" + host;
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    }

    @Override
    public synchronized Worker start() {
        if (started) {
            throw new IllegalStateException("worker " + config.workerId() + " was started already");
        }
        started = true;
        acks.start();
        for (PeriodicDuty d : duties) {
            d.start(d == leaseKeeper ? leaseScheduler : scheduler);
        }
        scheduler.execute(() -> safely(this::heartbeatNow));
        fetch.start();
        return this;
    }

    private void dispatch(ClaimedTask task) {
        RunningTask rt = new RunningTask(task);
        inFlight.put(task.id(), rt);
        Thread.ofVirtual().name("ferry-task-" + task.id()).start(() -> execute(rt));
    }

    private void execute(RunningTask rt) {
        rt.thread = Thread.currentThread();
        boolean haveSlot = false;
        ScheduledFuture<?> timeout = null;
        try {
            slots.acquire();
            haveSlot = true;
            if (!rt.state.compareAndSet(RunningTask.CLAIMED, RunningTask.RUNNING)) {
                return; // released by shutdown or lost while waiting for a slot
            }
            if (held(rt)) {
                return; // over a flow-control limit: it waits in the backend
            }
            timeout = leaseScheduler.schedule(() -> {
                rt.timedOut = true;
                rt.interrupt();
            }, rt.task.timeout().toMillis(), TimeUnit.MILLISECONDS);
            Outcome outcome = runner.run(rt);
            timeout.cancel(false);
            outcome = workflows.afterRun(rt.task, outcome); // release the next workflow steps before the ack
            if (rt.state.compareAndSet(RunningTask.RUNNING, RunningTask.FINISHED)) {
                acks.submit(new Ack(rt.lease(), outcome));
            }
        } catch (InterruptedException e) {
            // interrupted while waiting for a slot: shutdown releases this task
        } finally {
            if (timeout != null) {
                timeout.cancel(false);
            }
            flow.release(rt);
            rt.thread = null;
            if (haveSlot) {
                slots.release();
            }
            // The capacity permit is NOT freed here: the task keeps its lease until its ack is
            // applied, and a worker must never hold more than concurrency + prefetch leases, or a
            // crash would re-run more tasks than it had room for. leave() frees it.
        }
    }

    /**
     * Asks flow control whether the task may start; when a limit holds it, snoozes it back to the
     * backend (attempt not counted) and returns true.
     */
    private boolean held(RunningTask rt) {
        if (!flow.enabled()) {
            return false;
        }
        FlowControl.Denial denial;
        try {
            denial = flow.admit(rt);
        } catch (RuntimeException e) {
            // limits cannot be checked (backend trouble): do not run unlimited; try again shortly
            denial = new FlowControl.Denial(config.pollInterval(), null, null, null);
        }
        if (denial == null) {
            return false;
        }
        if (rt.state.compareAndSet(RunningTask.RUNNING, RunningTask.FINISHED)) {
            acks.submit(new Ack(rt.lease(), new Outcome.Snooze(denial.delay())));
            events.emit(TaskEvent.Kind.LIMITED, rt.task, Duration.ZERO, null);
        }
        return true;
    }

    /** The task no longer holds a lease of ours: free its capacity permit, exactly once. */
    private void leave(RunningTask rt) {
        if (inFlight.remove(rt.id(), rt)) {
            capacity.release();
            signalIfDrained();
        }
    }

    /** After the broker applied a batch of acks: the tasks leave in-flight. */
    private void acked(List<Ack> batch, Set<String> rejected) {
        for (Ack ack : batch) {
            RunningTask rt = inFlight.get(ack.lease().taskId());
            if (rt == null || rt.lease().token() != ack.lease().token()) {
                continue;
            }
            if (rejected.contains(rt.id())) {
                events.emit(TaskEvent.Kind.LEASE_LOST, rt.task, Duration.ZERO, null);
            }
            leave(rt);
        }
    }

    private void leaseLost(RunningTask rt) {
        int s = rt.state.get();
        if ((s == RunningTask.CLAIMED || s == RunningTask.RUNNING) && rt.state.compareAndSet(s, RunningTask.LOST)) {
            rt.interrupt();
            events.emit(TaskEvent.Kind.LEASE_LOST, rt.task, Duration.ZERO, null);
            leave(rt);
        }
    }

    private void cancelRequested(RunningTask rt) {
        rt.cancelRequested = true;
        rt.interrupt();
        if (rt.state.compareAndSet(RunningTask.CLAIMED, RunningTask.FINISHED)) {
            acks.submit(new Ack(rt.lease(), new Outcome.Cancelled())); // never started: cancel at once
        }
    }

    private void signalIfDrained() {
        if (inFlight.isEmpty()) {
            lock.lock();
            try {
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public String id() {
        return config.workerId();
    }

    @Override
    public int inFlight() {
        return inFlight.size();
    }

    @Override
    public int concurrency() {
        return config.concurrency();
    }

    @Override
    public boolean isRunning() {
        return started && !stopped;
    }

    @Override
    public void shutdown(Duration grace) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        if (!started) {
            return;
        }
        fetch.stop();
        releaseNotStarted();
        awaitDrained(grace);
        releaseRemaining();
        acks.close();
        for (PeriodicDuty d : duties) {
            d.close();
        }
        leaseScheduler.shutdownNow();
        scheduler.shutdownNow();
        safely(() -> broker.unregister(config.workerId()));
    }

    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    private void awaitDrained(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        lock.lock();
        try {
            while (!inFlight.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                drained.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Gives back tasks that hold a lease but never started (prefetched): no reason to start them now. */
    private void releaseNotStarted() {
        release(RunningTask.CLAIMED);
    }

    /** Interrupts what is still running and gives its leases back, attempt not counted. */
    private void releaseRemaining() {
        release(RunningTask.CLAIMED, RunningTask.RUNNING);
    }

    private void release(int... fromStates) {
        List<Lease> leases = new ArrayList<>();
        List<RunningTask> released = new ArrayList<>();
        for (RunningTask rt : inFlight.values()) {
            for (int from : fromStates) {
                if (rt.state.compareAndSet(from, RunningTask.RELEASED)) {
                    rt.interrupt();
                    leases.add(rt.lease());
                    released.add(rt);
                    events.emit(TaskEvent.Kind.RELEASED, rt.task, Duration.ZERO, null);
                    break;
                }
            }
        }
        try {
            sendRelease(leases);
        } finally {
            released.forEach(this::leave);
        }
    }

    private void sendRelease(List<Lease> leases) {
        if (!leases.isEmpty()) {
            Backoff backoff = new Backoff();
            for (int attempt = 0; attempt < 5; attempt++) {
                try {
                    broker.release(new ReleaseRequest(leases));
                    return;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "release of " + leases.size() + " tasks failed: " + e.getMessage());
                    backoff.pause();
                }
            }
            LOG.log(System.Logger.Level.WARNING, "could not release " + leases.size()
                    + " tasks; they run again when their leases expire");
        }
    }

    private void heartbeatNow() {
        broker.heartbeat(new WorkerInfo(config.workerId(), hostName(), ProcessHandle.current().pid(),
                config.queues().queues(), config.concurrency(), config.concurrency() - slots.availablePermits(),
                startedAt, Instant.now()));
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "background call failed: " + e.getMessage());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Reports this worker alive every 5 s (the dashboard and the explainer read it). */
    private final class Heartbeat extends PeriodicDuty {
        Heartbeat() {
            super("heartbeat", Duration.ofSeconds(5));
        }

        @Override
        protected void runOnce() {
            heartbeatNow();
        }
    }

}
