package dev.ferry.testing;

import dev.ferry.spi.Broker;

/** The cron scheduler's promises on the in-memory broker. */
class InMemorySchedulerTest extends SchedulerContract {
    @Override
    protected Broker newBroker(ManualClock clock) {
        return new InMemoryBroker(clock);
    }
}
