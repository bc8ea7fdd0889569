package dev.ferry.embedded.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * In-process wake-ups for {@code awaitWork}: the writer bumps a generation per queue after each
 * commit that made work ready, and waiters return as soon as a generation they watch moved.
 * Generations (rather than a flag) mean a wake-up is never consumed by another waiter.
 */
final class Signals {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Long> generations = new HashMap<>();
    private long anyGeneration;
    private boolean closed;

    /** Wakes the waiters of these queues (and those watching every queue). */
    void wake(Collection<String> queues) {
        if (queues.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            for (String q : queues) {
                generations.merge(q, 1L, Long::sum);
            }
            anyGeneration++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for a wake-up of one of {@code queues} (any queue when empty).
     *
     * @return true when woken, false on timeout or close
     */
    boolean await(List<String> queues, long timeout, TimeUnit unit) throws InterruptedException {
        return await(queues, null, timeout, unit);
    }

    /** The generations of these queues now, to wait later for a change from this moment on. */
    Map<String, Long> mark(List<String> queues) {
        lock.lock();
        try {
            Map<String, Long> mark = new HashMap<>();
            for (String q : queues) {
                mark.put(q, generations.getOrDefault(q, 0L));
            }
            return mark;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Like {@link #await(List, long, TimeUnit)}, but counts any wake-up since {@code mark} (taken
     * before the caller's last look at the store), so one that came in between is not lost.
     */
    boolean await(List<String> queues, Map<String, Long> mark, long timeout, TimeUnit unit) throws InterruptedException {
        long remaining = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            long[] seen = snapshot(queues);
            if (mark != null && !queues.isEmpty()) {
                for (int i = 0; i < seen.length; i++) {
                    Long marked = mark.get(queues.get(i));
                    if (marked != null) {
                        seen[i] = marked;
                    }
                }
            }
            while (!closed) {
                if (moved(queues, seen)) {
                    return true;
                }
                if (remaining <= 0) {
                    return false;
                }
                remaining = changed.awaitNanos(remaining);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Releases every waiter for good. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private long[] snapshot(List<String> queues) {
        if (queues.isEmpty()) {
            return new long[] {anyGeneration};
        }
        long[] seen = new long[queues.size()];
        for (int i = 0; i < seen.length; i++) {
            seen[i] = generations.getOrDefault(queues.get(i), 0L);
        }
        return seen;
    }

    private boolean moved(List<String> queues, long[] seen) {
        if (queues.isEmpty()) {
            return anyGeneration != seen[0];
        }
        for (int i = 0; i < seen.length; i++) {
            if (generations.getOrDefault(queues.get(i), 0L) != seen[i]) {
                return true;
            }
        }
        return false;
    }
}
