package dev.ferry.embedded.internal;

import dev.ferry.BrokerException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Read-only connections for stats, listing and lookups. WAL lets them read a committed snapshot
 * while the writer writes, so inspection never waits for, or slows down, the write path.
 * Connections are opened on demand up to the configured number and reused.
 */
final class ReadPool implements AutoCloseable {
    private static final int BUSY_RETRIES = 3;

    /** A read on one connection. */
    @FunctionalInterface
    interface Read<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final Settings settings;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private int open;
    private boolean closed;

    ReadPool(Settings settings) {
        this.settings = settings;
    }

    /**
     * Runs a read. With {@code snapshot}, its statements run in one read transaction, so they
     * all see the same committed state.
     */
    <T> T read(String name, boolean snapshot, Read<T> read) {
        for (int attempt = 0; ; attempt++) {
            Connection c = borrow(name);
            boolean healthy = true;
            try {
                if (!snapshot) {
                    return read.apply(c);
                }
                exec(c, "BEGIN");
                try {
                    return read.apply(c);
                } finally {
                    exec(c, "COMMIT");
                }
            } catch (SQLException e) {
                healthy = SqliteErrors.isBusy(e);
                if (healthy && attempt < BUSY_RETRIES) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(1, 10)));
                    continue;
                }
                throw SqliteErrors.translate(name, e);
            } finally {
                giveBack(c, healthy);
            }
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private Connection borrow(String name) {
        synchronized (this) {
            while (true) {
                if (closed) {
                    throw new BrokerException("embedded broker is closed", false);
                }
                Connection c = idle.pollFirst();
                if (c != null) {
                    return c;
                }
                if (open < settings.readConnections()) {
                    open++;
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerException("embedded broker: " + name + " interrupted", true, e);
                }
            }
        }
        // Opened outside the lock: opening touches the file and may wait for a lock.
        try {
            return Connections.openReader(settings);
        } catch (SQLException e) {
            synchronized (this) {
                open--;
                notifyAll();
            }
            throw SqliteErrors.translate(name, e);
        }
    }

    private void giveBack(Connection c, boolean healthy) {
        synchronized (this) {
            if (!closed && healthy) {
                idle.addFirst(c);
                notifyAll();
                return;
            }
            open--;
            notifyAll();
        }
        // A connection that failed (other than busy) may be left mid-transaction: drop it.
        Connections.closeQuietly(c);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            idle.forEach(Connections::closeQuietly);
            idle.clear();
            notifyAll();
        }
    }
}
