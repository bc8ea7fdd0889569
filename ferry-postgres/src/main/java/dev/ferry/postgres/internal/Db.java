package dev.ferry.postgres.internal;

import dev.ferry.BrokerException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Runs the broker's operations, each in one transaction on a pooled connection: borrow, run,
 * record stats and wake-ups, commit (or roll back), return. Failures become
 * {@link BrokerException}s naming the operation.
 */
public final class Db {
    private final DataSource dataSource;
    private final Sql sql;
    private final Clock testClock;
    private final String channel;
    private final Notifier notifier;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** One unit of work inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /**
     * @param testClock broker time for tests, or null for the database clock
     * @param channel   the NOTIFY channel, or null when notify is off
     * @param name      how errors name this broker, for example {@code postgres broker (schema ferry)}
     */
    public Db(DataSource dataSource, Sql sql, Clock testClock, String channel, Notifier notifier, String name) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.testClock = testClock;
        this.channel = channel;
        this.notifier = notifier;
        this.name = name;
    }

    public Sql sql() {
        return sql;
    }

    public String channel() {
        return channel;
    }

    /** Broker time from the test clock, or null when the database's clock is used. */
    public Instant testNow() {
        return testClock == null ? null : Micros.truncate(testClock.instant());
    }

    /** Runs {@code work} in a transaction and commits it; wakes this process's waiters after the commit. */
    public <T> T tx(String op, Work<T> work) {
        if (closed.get()) {
            throw new BrokerException(name + " is closed", false);
        }
        Set<String> woken;
        T result;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            try (Tx tx = new Tx(c, sql, testNow(), channel, true)) {
                result = work.run(tx);
                tx.finishAndCommit();
                woken = tx.woken();
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                if (autoCommit) {
                    resetQuietly(c, true);
                }
            }
        } catch (SQLException e) {
            if (closed.get()) {
                throw new BrokerException(name + " is closed", false, e);
            }
            throw PgErrors.translate(name + ": " + op + " failed", e);
        }
        if (!woken.isEmpty()) {
            notifier.wake(woken);
        }
        return result;
    }

    /**
     * Runs {@code work}, which must be ONE statement that records no stats and wakes nobody, in
     * auto-commit mode: the statement is its own transaction and its commit costs no extra round
     * trip. For the hot single-statement operations (a claim of one queue, renew, progress).
     */
    public <T> T single(String op, Work<T> work) {
        if (closed.get()) {
            throw new BrokerException(name + " is closed", false);
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (!autoCommit) {
                c.setAutoCommit(true); // no transaction is open on a pooled connection: nothing is sent
            }
            try (Tx tx = new Tx(c, sql, testNow(), channel, false)) {
                T result = work.run(tx);
                if (!tx.nothingToFinish() || !tx.woken().isEmpty()) {
                    throw new IllegalStateException(op + " ran as a single statement but has stats or wake-ups to write");
                }
                return result;
            } finally {
                if (!autoCommit) {
                    resetQuietly(c, false);
                }
            }
        } catch (SQLException e) {
            if (closed.get()) {
                throw new BrokerException(name + " is closed", false, e);
            }
            throw PgErrors.translate(name + ": " + op + " failed", e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the server rolled back already
        }
    }

    private static void resetQuietly(Connection c, boolean autoCommit) {
        try {
            c.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
            // broken connection: the pool discards it
        }
    }

    /** Refuses every later operation; idempotent. */
    public void close() {
        closed.set(true);
    }

    public boolean isClosed() {
        return closed.get();
    }
}
