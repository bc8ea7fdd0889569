package dev.ferry.embedded.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies the write-ahead log into the database file in the background.
 *
 * <p>Under {@code synchronous=NORMAL} commits never fsync; checkpoints do (the WAL, then the
 * database file). Left to SQLite, the checkpoint runs inside the writer's COMMIT every thousand
 * pages, and every caller of that group commit waits for two fsyncs. Here a separate connection
 * runs a PASSIVE checkpoint, which never blocks the writer, a few times a second while there are
 * new commits. The writer keeps a large auto-checkpoint as a backstop: it restarts the log when
 * it grew big under sustained load (a passive checkpoint racing a busy writer rarely leaves the
 * log fully copied, which is what lets SQLite start it over).
 */
final class Checkpointer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ferry.embedded");
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Connection connection;
    private final AtomicLong commits;
    private final Thread thread;
    private volatile boolean closed;

    Checkpointer(Connection connection, AtomicLong commits, String name) {
        this.connection = connection;
        this.commits = commits;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        this.thread.start();
    }

    private void run() {
        long seen = commits.get();
        try (Statement st = connection.createStatement()) {
            while (!closed) {
                LockSupport.parkNanos(INTERVAL_NANOS);
                long now = commits.get();
                if (now == seen || closed) {
                    continue;
                }
                seen = now;
                try {
                    st.execute("PRAGMA wal_checkpoint(PASSIVE)");
                } catch (SQLException e) {
                    // Busy or failing: the next round or the writer's backstop checkpoint does it.
                    LOG.log(System.Logger.Level.DEBUG, "background checkpoint failed: " + e.getMessage());
                }
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "background checkpointing stopped: " + e.getMessage());
        } finally {
            Connections.closeQuietly(connection);
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
