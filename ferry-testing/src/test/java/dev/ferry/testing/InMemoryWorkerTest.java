package dev.ferry.testing;

import dev.ferry.spi.Broker;

/** The worker runtime's promises on the in-memory broker. */
class InMemoryWorkerTest extends WorkerContract {
    @Override
    protected Broker newBroker() {
        return new InMemoryBroker();
    }
}
