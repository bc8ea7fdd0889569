package dev.ferry.embedded.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.BusyHandler;

/**
 * How a connection waits for a lock another process (or another broker on the same file) holds:
 * by trying again every 0.1 ms, then every millisecond, until the busy timeout.
 *
 * <p>Why not SQLite's {@code busy_timeout}: it sleeps 1, 2, 5, 10... up to 100 ms between tries.
 * A writer that is busy commits transaction after transaction and holds the write lock almost all
 * the time; the lock is free only for moments between two of its transactions, and a waiter that
 * looks every 25-100 ms practically never sees one. Other processes would starve (their acks and
 * renewals waiting until the busy one goes idle). Polling often gives them their turn.
 */
final class BusyWait extends BusyHandler {
    private static final long FAST_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long SLOW_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Fast polls before slowing down: the first 20 ms or so of a wait. */
    private static final int FAST_POLLS = 200;

    private final long timeoutNanos;
    private long waitingSince;

    BusyWait(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** Called by SQLite while the lock is busy; 0 gives up (SQLITE_BUSY), anything else tries again. */
    @Override
    protected int callback(int previousCalls) {
        long now = System.nanoTime();
        if (previousCalls == 0) {
            waitingSince = now;
        }
        if (now - waitingSince >= timeoutNanos) {
            return 0;
        }
        LockSupport.parkNanos(previousCalls < FAST_POLLS ? FAST_POLL_NANOS : SLOW_POLL_NANOS);
        return 1;
    }
}
