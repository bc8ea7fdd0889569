package dev.ferry.postgres.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where idle workers wait for work ({@code awaitWork}). Wake-ups come from this process's own
 * commits and, with notify on, from the {@link Listener} relaying PostgreSQL notifications of
 * every process. Each queue has a counter; a waiter returns true once a counter of one of its
 * queues moved, or when every queue was woken at once (the listener reconnected and may have
 * missed notifications).
 *
 * <p>A worker claims, finds nothing, then waits. A notification arriving between the start of
 * that claim and the start of the wait would be lost, and the task would wait a whole poll
 * interval. So {@link #beforeClaim} remembers the counters on the claiming thread, and the
 * next {@link #await} on that thread returns at once when they moved since.
 */
public final class Notifier implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private final Map<String, Long> counts = new HashMap<>();
    private long everyQueue;
    private boolean closed;

    private final ThreadLocal<Snapshot> lastClaim = new ThreadLocal<>();

    private record Snapshot(List<String> queues, long[] counts, long everyQueue) {
    }

    /** Wakes the waiters of these queues. */
    public void wake(Collection<String> queues) {
        lock.lock();
        try {
            for (String q : queues) {
                counts.merge(q, 1L, Long::sum);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter: work may have arrived unseen (after a reconnect). */
    public void wakeAll() {
        lock.lock();
        try {
            everyQueue++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Remembers, for this thread, the counters of the queues it is about to claim from. */
    public void beforeClaim(List<String> queues) {
        lock.lock();
        try {
            lastClaim.set(new Snapshot(queues, read(queues), everyQueue));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until one of the queues is woken (true), the timeout passes or this notifier closes
     * (false). Throws at once when the thread is interrupted.
     */
    public boolean await(List<String> queues, Duration timeout) throws InterruptedException {
        long nanos = nanos(timeout);
        Snapshot claimed = lastClaim.get();
        lastClaim.remove();
        lock.lockInterruptibly();
        try {
            if (closed) {
                return false;
            }
            long[] seen;
            long seenEvery;
            if (claimed != null && claimed.queues.equals(queues)) {
                seen = claimed.counts;
                seenEvery = claimed.everyQueue;
            } else {
                seen = read(queues);
                seenEvery = everyQueue;
            }
            while (!closed) {
                if (everyQueue != seenEvery || moved(queues, seen)) {
                    return true;
                }
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private long[] read(List<String> queues) {
        long[] out = new long[queues.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.getOrDefault(queues.get(i), 0L);
        }
        return out;
    }

    private boolean moved(List<String> queues, long[] seen) {
        for (int i = 0; i < seen.length; i++) {
            if (counts.getOrDefault(queues.get(i), 0L) != seen[i]) {
                return true;
            }
        }
        return false;
    }

    private static long nanos(Duration d) {
        if (d == null || d.isNegative()) {
            return 0;
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /** Releases every waiter; later waits return false at once. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
