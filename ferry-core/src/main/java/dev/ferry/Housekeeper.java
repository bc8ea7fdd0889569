package dev.ferry;

/**
 * The backend's housekeeping without a worker: moves due delayed and retrying tasks to ready
 * (every second), recovers tasks whose lease expired (every 5 s) and prunes finished tasks past
 * their retention (every 30 s). Workers do this too; run a housekeeper where workers may be
 * scaled to zero (KEDA) so delayed tasks still become ready and a ready-count scaler sees them.
 * {@code ferry scheduler} runs one next to a cron scheduler.
 */
public interface Housekeeper extends AutoCloseable {

    /** Starts the duties on a daemon thread; returns this. */
    Housekeeper start();

    /** Stops the duties; idempotent. Leaves the broker open. */
    @Override
    void close();
}
