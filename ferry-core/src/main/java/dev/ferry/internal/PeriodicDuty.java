package dev.ferry.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A background duty run every {@code interval} on the worker's scheduler (lease keeper,
 * promoter, recoverer, pruner, heartbeat). Same start/close contract for all; close is idempotent.
 * A failing run is logged and the next run tries again: a backend outage must not kill a duty.
 */
abstract class PeriodicDuty implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ferry.worker");

    private final String name;
    private final Duration interval;
    private ScheduledFuture<?> future;
    private long lastFailureLog;

    PeriodicDuty(String name, Duration interval) {
        this.name = name;
        this.interval = interval;
    }

    /** One run of the duty. */
    protected abstract void runOnce();

    synchronized void start(ScheduledExecutorService scheduler) {
        if (future == null) {
            long ms = Math.max(1, interval.toMillis());
            future = scheduler.scheduleWithFixedDelay(this::safeRun, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void safeRun() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            long now = System.nanoTime();
            if (now - lastFailureLog > TimeUnit.SECONDS.toNanos(10)) {
                lastFailureLog = now;
                LOG.log(System.Logger.Level.WARNING, name + " failed, will retry: " + e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (future != null) {
            future.cancel(false);
        }
    }
}
