package dev.ferry.testing;

import dev.ferry.spi.Broker;

/** The in-memory broker keeps every promise of the SPI. */
class InMemoryBrokerConformanceTest extends BrokerContract {

    @Override
    protected Broker newBroker(ManualClock clock) {
        return new InMemoryBroker(clock);
    }
}
