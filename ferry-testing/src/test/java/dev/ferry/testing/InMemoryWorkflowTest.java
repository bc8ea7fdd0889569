package dev.ferry.testing;

import dev.ferry.spi.Broker;

/** Workflows on the in-memory broker. */
class InMemoryWorkflowTest extends WorkflowContract {
    @Override
    protected Broker newBroker() {
        return new InMemoryBroker();
    }
}
