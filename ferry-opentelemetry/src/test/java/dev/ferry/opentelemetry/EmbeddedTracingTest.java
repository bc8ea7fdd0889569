package dev.ferry.opentelemetry;

import dev.ferry.embedded.EmbeddedBroker;
import dev.ferry.spi.Broker;
import java.nio.file.Path;

/** Tracing through a worker on the embedded SQLite broker: the headers go through a real file. */
class EmbeddedTracingTest extends TracingContract {
    @Override
    Broker newBroker(Path dir) {
        return EmbeddedBroker.open(dir.resolve("ferry.db"));
    }
}
