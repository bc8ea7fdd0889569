package dev.ferry;

import java.time.Duration;

/**
 * Claims tasks from queues and runs their handlers on virtual threads. Build one with
 * {@link Ferry#worker()}. {@link #close()} shuts down gracefully: it stops claiming, lets running
 * tasks finish within the grace period, and gives the rest back to pending without counting an
 * attempt.
 */
public interface Worker extends AutoCloseable {

    /** Starts claiming. Returns at once. */
    Worker start();

    /** This worker's unique id (host, pid and a random part). */
    String id();

    /** Tasks running or claimed and waiting for a slot. */
    int inFlight();

    /** Handler slots. */
    int concurrency();

    boolean isRunning();

    /**
     * Stops gracefully: no new claims; running tasks get {@code grace} to finish; the rest are
     * interrupted and released back to pending (attempt not counted); pending acks are flushed.
     * Returns when done. Safe to call more than once.
     */
    void shutdown(Duration grace);

    /** {@link #shutdown(Duration)} with the configured grace period. */
    @Override
    void close();
}
