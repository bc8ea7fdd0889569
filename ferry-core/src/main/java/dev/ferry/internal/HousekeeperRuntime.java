package dev.ferry.internal;

import dev.ferry.Housekeeper;
import dev.ferry.spi.Broker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** {@link Housekeeper}: the worker's maintenance duties on their own thread. */
public final class HousekeeperRuntime implements Housekeeper {
    private final List<PeriodicDuty> duties;
    private ScheduledThreadPoolExecutor executor;
    private boolean closed;

    public HousekeeperRuntime(Broker broker, int maxLeaseExpirations) {
        this.duties = List.of(
                new Maintenance.Promoter(broker, Duration.ofSeconds(1)),
                new Maintenance.Recoverer(broker, Duration.ofSeconds(5), maxLeaseExpirations),
                new Maintenance.Pruner(broker, Duration.ofSeconds(30)));
    }

    @Override
    public synchronized Housekeeper start() {
        if (closed) {
            throw new IllegalStateException("housekeeper is closed");
        }
        if (executor == null) {
            executor = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("ferry-housekeeper", 0).factory());
            executor.setRemoveOnCancelPolicy(true);
            for (PeriodicDuty d : duties) {
                d.start(executor);
            }
        }
        return this;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PeriodicDuty d : duties) {
            d.close();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
