package dev.ferry.bench.peers;

import java.util.List;

/**
 * One job scheduler compared with Ferry on PostgreSQL, reduced to what {@link PgPeerBench} times.
 * Every job it runs calls {@link Probe#ran(long)} with its number and does nothing else.
 */
interface Peer extends AutoCloseable {
    /** A short name for the report, with the version and the settings that matter. */
    String describe();

    /** Enqueues one job that runs now; returns when it is stored. */
    void enqueue(long n);

    /** Enqueues one job per number, in as few round trips as the peer's API allows. */
    void enqueueBatch(List<Long> numbers);

    /** Starts processing with {@code concurrency} handler threads. */
    void startWorkers(int concurrency);

    /** Stops processing (waits for the running jobs). */
    void stopWorkers();

    /** Jobs stored as finished successfully (or, for a peer that deletes them, gone from the store). */
    long finished();

    /** Jobs stored and waiting to run. */
    long waiting();

    /** Deletes every job of the peer (between phases; workers stopped). */
    void clear();

    @Override
    void close();
}
