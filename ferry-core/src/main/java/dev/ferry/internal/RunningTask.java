package dev.ferry.internal;

import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.Lease;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One claimed task inside a worker, from claim until its ack is applied. Who ends it is decided
 * by one compare-and-set on {@link #state}: the runner finishing it, shutdown releasing it, or
 * the lease keeper learning its lease is lost — never two of them.
 */
final class RunningTask {
    static final int CLAIMED = 0;
    static final int RUNNING = 1;
    static final int FINISHED = 2;
    static final int RELEASED = 3;
    static final int LOST = 4;

    final ClaimedTask task;
    final AtomicInteger state = new AtomicInteger(CLAIMED);
    volatile Thread thread;
    volatile boolean cancelRequested;
    volatile boolean timedOut;
    volatile long startNanos;
    /** When the claim returned, to estimate broker time from the lease expiry. */
    final long claimedNanos = System.nanoTime();
    /** Semaphore slots held for flow control, given back when the handler ends. */
    volatile java.util.List<dev.ferry.spi.PermitOp.Acquire> permitHolds = java.util.List.of();

    RunningTask(ClaimedTask task) {
        this.task = task;
    }

    Lease lease() {
        return task.lease();
    }

    String id() {
        return task.id();
    }

    /** True when the handler should stop. */
    boolean shouldStop() {
        int s = state.get();
        return cancelRequested || timedOut || s == RELEASED || s == LOST;
    }

    void interrupt() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
