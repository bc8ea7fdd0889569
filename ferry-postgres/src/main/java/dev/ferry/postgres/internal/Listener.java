package dev.ferry.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Relays PostgreSQL notifications to the {@link Notifier}: one platform thread holding one
 * connection of its own (never a pooled one: a pool would hand it to someone else or close it)
 * that has run {@code LISTEN} on the schema's channel. Every writing transaction that makes work
 * ready sends {@code NOTIFY channel, 'queue'} (delivered at commit), so idle workers of every
 * process wake within milliseconds.
 *
 * <p>A lost connection (server restart, network failure) is noticed by the failing read or by a
 * liveness check after {@value #IDLE_CHECK_MILLIS} ms of silence; the thread then reconnects with
 * backoff (100 ms doubling to 5 s) and, once listening again, wakes every waiter, since
 * notifications sent meanwhile were lost. Workers poll in the meantime, so nothing waits for
 * longer than their poll interval.
 */
public final class Listener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ferry.postgres");
    private static final int POLL_MILLIS = 250;
    static final int IDLE_CHECK_MILLIS = 10_000;

    private final Callable<Connection> connect;
    private final String channel;
    private final Notifier notifier;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean listening;
    private final java.util.concurrent.CountDownLatch firstAttempt = new java.util.concurrent.CountDownLatch(1);

    /**
     * @param connect opens a new, unpooled connection
     * @param channel the channel name (a plain lower-case identifier)
     */
    public Listener(Callable<Connection> connect, String channel, Notifier notifier, String threadName) {
        this.connect = connect;
        this.channel = channel;
        this.notifier = notifier;
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /**
     * Waits until the first attempt to listen succeeded or failed, at most {@code timeout}: a
     * broker that returns from {@code build()} already hears the notifications of other processes.
     */
    public void awaitFirstAttempt(java.time.Duration timeout) {
        try {
            firstAttempt.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True while the LISTEN connection is up. */
    public boolean isListening() {
        return listening;
    }

    private void run() {
        long backoffMillis = 0; // 0 until the first connection was lost
        boolean reported = false;
        while (!closed) {
            try (Connection c = connect.call()) {
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true); // LISTEN takes effect at commit: there must be none pending
                }
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                listening = true;
                firstAttempt.countDown();
                if (reported) {
                    LOG.log(System.Logger.Level.INFO, "listening for wake-ups on channel " + channel + " again");
                    reported = false;
                }
                if (backoffMillis > 0) {
                    // Not the first connection: notifications sent while it was down were lost.
                    notifier.wakeAll();
                }
                backoffMillis = 100;
                relay(c);
            } catch (Exception e) {
                listening = false;
                firstAttempt.countDown();
                if (closed) {
                    break;
                }
                if (!reported) {
                    LOG.log(System.Logger.Level.WARNING, "lost the LISTEN connection for channel " + channel
                            + ", workers poll until it is back; reconnecting: " + e.getMessage());
                    reported = true;
                }
                notifier.wakeAll();
                backoffMillis = Math.min(5_000, Math.max(100, backoffMillis * 2));
                pause(backoffMillis);
            } finally {
                listening = false;
            }
        }
    }

    private void relay(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long lastHeard = System.nanoTime();
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
            long now = System.nanoTime();
            if (notifications != null && notifications.length > 0) {
                lastHeard = now;
                List<String> queues = new java.util.ArrayList<>(notifications.length);
                for (PGNotification n : notifications) {
                    queues.add(n.getParameter());
                }
                notifier.wake(queues);
            } else if (now - lastHeard > TimeUnit.MILLISECONDS.toNanos(IDLE_CHECK_MILLIS)) {
                // A silent network failure would otherwise go unnoticed: a read just times out.
                if (!c.isValid(5)) {
                    throw new SQLException("the LISTEN connection stopped answering", "08006");
                }
                lastHeard = now;
            }
        }
    }

    private void pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closed && System.nanoTime() < deadline) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /**
     * Stops the thread: it leaves its current read (at most {@value #POLL_MILLIS} ms) and closes
     * its connection by itself. Not waited for: a closing broker has no reason to block on it,
     * and waiters were already released by {@link Notifier#close()}. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
