package dev.ferry.embedded.internal;

import dev.ferry.BrokerException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that writes to the database: group commit.
 *
 * <p><b>Design.</b> SQLite allows one writer at a time and a commit is the expensive part of a
 * write (lock, WAL append, and under {@code synchronous=FULL} an fsync). So every write
 * operation of the broker — enqueue, claim, ack, renew, release, admin... — is handed to this
 * thread as a request, and the caller waits for its result. The thread takes the first request,
 * then everything else that piled up meanwhile (up to {@link #MAX_BATCH}), runs them one after the
 * other inside ONE {@code BEGIN IMMEDIATE} transaction, commits once, and only then completes
 * every caller's future. Eight producers enqueueing one task each therefore share one commit;
 * under light load a request runs alone with no added delay (nothing waits for a batch to fill).
 *
 * <p><b>Atomicity.</b> Operations in a batch run in order and each sees the effects of the ones
 * before it, exactly as if they had been committed one by one. Nobody learns a result before the
 * commit, so nothing is acknowledged that could still be rolled back.
 *
 * <p><b>Failures.</b> When one operation fails with a permanent error (bad input, a constraint),
 * the whole transaction is rolled back and each request of the batch is run again in its own
 * transaction, so only the faulty one fails. A busy database (another process holds the write
 * lock beyond {@code busy_timeout}) is retried with a short random back-off until the retry budget
 * ends; then the batch fails with a transient {@link BrokerException}.
 *
 * <p><b>Processes.</b> {@code BEGIN IMMEDIATE} takes the write lock up front, so writers of other
 * processes sharing the file queue on SQLite's lock (waiting up to {@code busy_timeout}) and a
 * transaction never fails half-way for lack of a lock.
 *
 * <p><b>Cost.</b> Per transaction SQLite takes the lock, appends every page the batch dirtied to
 * the WAL (a page each for the touched index leaves, the queue counters...) and releases the
 * lock: some tens of system calls, whether the batch holds one task or five hundred. Copying the
 * WAL back into the database (the fsyncs) is left to the {@link Checkpointer}'s thread.
 */
final class Writer implements AutoCloseable {

    /** Requests per transaction at most, so one commit never waits on an unbounded backlog. */
    static final int MAX_BATCH = 512;
    /** Busy-lock retries of a transaction after SQLite's own busy wait gave up. */
    private static final int BUSY_RETRIES = 3;

    /** One write operation, run on the writer thread inside a transaction. */
    @FunctionalInterface
    interface Operation<T> {
        T apply(WriteTx tx) throws SQLException;
    }

    private final Connection connection;
    private final WriteTx tx;
    private final Signals signals;
    private final LinkedBlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
    private final Request<Void> stop = new Request<>("stop", tx -> null);
    private final Object submitLock = new Object();
    private final Thread thread;
    private final AtomicLong commits;
    private boolean closed;

    Writer(Connection connection, Settings settings, Signals signals, AtomicLong commits, String name) {
        this.connection = connection;
        this.commits = commits;
        this.tx = new WriteTx(connection, settings.clock());
        this.signals = signals;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        this.thread.start();
    }

    /**
     * Runs an operation in the next group transaction and waits for its commit.
     *
     * @param name what the operation is, for error messages
     */
    <T> T execute(String name, Operation<T> operation) {
        Request<T> request = new Request<>(name, operation);
        // The lock orders submissions against close(): nothing can be queued after the stop marker.
        synchronized (submitLock) {
            if (closed) {
                throw new BrokerException("embedded broker is closed", false);
            }
            queue.add(request);
        }
        return request.await();
    }

    /** Runs what was submitted before, then stops the thread and closes the write connection. */
    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(stop);
        }
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

    private void run() {
        List<Request<?>> batch = new ArrayList<>();
        boolean stopping = false;
        try {
            while (!stopping) {
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    continue; // Only close() ends this thread, through the stop marker.
                }
                queue.drainTo(batch, MAX_BATCH - 1);
                // The stop marker is always the last request ever queued.
                if (batch.get(batch.size() - 1) == stop) {
                    batch.remove(batch.size() - 1);
                    stopping = true;
                }
                if (!batch.isEmpty()) {
                    runBatch(batch);
                }
                batch.clear();
            }
        } finally {
            tx.close();
            Connections.closeQuietly(connection);
        }
    }

    private void runBatch(List<Request<?>> batch) {
        Throwable failure = runTransaction(batch);
        if (failure == null) {
            return;
        }
        if (batch.size() > 1 && !isTransient(failure)) {
            // Find the culprit: every request again, alone. Only the faulty one fails.
            for (Request<?> r : batch) {
                Throwable own = runTransaction(List.of(r));
                if (own != null) {
                    r.fail(own);
                }
            }
        } else {
            for (Request<?> r : batch) {
                r.fail(failure);
            }
        }
    }

    /** Runs the requests in one transaction and completes them; returns the failure, if any. */
    private Throwable runTransaction(List<Request<?>> batch) {
        Object[] results = new Object[batch.size()];
        for (int attempt = 0; ; attempt++) {
            Throwable failure;
            try {
                begin();
                tx.reset();
                for (int i = 0; i < results.length; i++) {
                    tx.startOperation();
                    results[i] = batch.get(i).operation.apply(tx);
                }
                tx.flush();
                commit();
                commits.incrementAndGet();
                signals.wake(tx.wakes());
                for (int i = 0; i < results.length; i++) {
                    batch.get(i).completeUnchecked(results[i]);
                }
                return null;
            } catch (Throwable t) {
                failure = t;
            }
            rollbackQuietly();
            tx.discardBatches();
            if (failure instanceof SQLException e && SqliteErrors.isBusy(e) && attempt < BUSY_RETRIES) {
                backOff(attempt);
                continue;
            }
            return failure;
        }
    }

    private void begin() throws SQLException {
        tx.statement("BEGIN IMMEDIATE").execute();
    }

    private void commit() throws SQLException {
        tx.statement("COMMIT").execute();
    }

    private void rollbackQuietly() {
        try {
            if (!connection.isClosed()) {
                tx.statement("ROLLBACK").execute();
            }
        } catch (SQLException ignored) {
            // No transaction was open (BEGIN itself failed): nothing to undo.
        }
    }

    /** A few milliseconds, random so that processes retrying together do not collide again. */
    private static void backOff(int attempt) {
        long millis = ThreadLocalRandom.current().nextLong(1, 10L << attempt);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static boolean isTransient(Throwable t) {
        return (t instanceof SQLException e && SqliteErrors.isTransient(e))
                || (t instanceof BrokerException b && b.isTransient());
    }

    /** A submitted operation and the future its caller waits on. */
    private static final class Request<T> {
        final String name;
        final Operation<T> operation;
        final CompletableFuture<T> future = new CompletableFuture<>();

        Request(String name, Operation<T> operation) {
            this.name = name;
            this.operation = operation;
        }

        @SuppressWarnings("unchecked")
        void completeUnchecked(Object result) {
            future.complete((T) result);
        }

        void fail(Throwable failure) {
            future.completeExceptionally(failure);
        }

        /** Waits for the commit; not interruptible, since the operation may commit regardless. */
        T await() {
            try {
                return future.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof SQLException se) {
                    throw SqliteErrors.translate(name, se);
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new BrokerException("embedded broker: " + name + " failed: " + cause, false, cause);
            }
        }
    }
}
