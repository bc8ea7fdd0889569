package dev.ferry.opentelemetry;

import dev.ferry.spi.Broker;
import dev.ferry.testing.InMemoryBroker;
import java.nio.file.Path;

/** Tracing through a worker on the in-memory broker. */
class InMemoryTracingTest extends TracingContract {
    @Override
    Broker newBroker(Path dir) {
        return new InMemoryBroker();
    }
}
