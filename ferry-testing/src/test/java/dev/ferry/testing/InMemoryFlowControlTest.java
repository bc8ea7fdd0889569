package dev.ferry.testing;

import dev.ferry.spi.Broker;

/** Flow control and the explainer on the in-memory broker. */
class InMemoryFlowControlTest extends FlowControlContract {
    @Override
    protected Broker newBroker() {
        return new InMemoryBroker();
    }
}
