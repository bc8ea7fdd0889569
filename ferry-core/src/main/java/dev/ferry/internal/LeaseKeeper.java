package dev.ferry.internal;

import dev.ferry.spi.Broker;
import dev.ferry.spi.Lease;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Renews every in-flight lease of a worker in one batched call, every third of the lease, so a
 * live worker keeps its tasks through two missed renewals. Leases the broker reports lost are
 * handed to {@code onLost} (the handler is interrupted and its result dropped: another worker may
 * run the task now); tasks asked to cancel are handed to {@code onCancel}.
 */
final class LeaseKeeper extends PeriodicDuty {
    private final Broker broker;
    private final Duration lease;
    private final Collection<RunningTask> inFlight;
    private final Consumer<RunningTask> onLost;
    private final Consumer<RunningTask> onCancel;

    LeaseKeeper(Broker broker, Duration lease, Collection<RunningTask> inFlight,
                Consumer<RunningTask> onLost, Consumer<RunningTask> onCancel) {
        super("lease keeper", lease.dividedBy(3));
        this.broker = broker;
        this.lease = lease;
        this.inFlight = inFlight;
        this.onLost = onLost;
        this.onCancel = onCancel;
    }

    @Override
    protected void runOnce() {
        List<RunningTask> tasks = new ArrayList<>(inFlight);
        if (tasks.isEmpty()) {
            return;
        }
        List<Lease> leases = new ArrayList<>(tasks.size());
        for (RunningTask t : tasks) {
            leases.add(t.lease());
        }
        RenewResponse response = broker.renew(new RenewRequest(leases, lease));
        for (RunningTask t : tasks) {
            if (response.lost().contains(t.id())) {
                onLost.accept(t);
            } else if (response.cancelRequested().contains(t.id()) && !t.cancelRequested) {
                onCancel.accept(t);
            }
        }
    }
}
