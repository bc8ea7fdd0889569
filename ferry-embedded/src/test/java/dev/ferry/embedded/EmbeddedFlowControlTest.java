package dev.ferry.embedded;

import dev.ferry.spi.Broker;
import dev.ferry.testing.FlowControlContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Flow control and the explainer on the embedded SQLite broker. */
class EmbeddedFlowControlTest extends FlowControlContract {
    @TempDir
    Path dir;

    @Override
    protected Broker newBroker() {
        return EmbeddedBroker.open(dir.resolve("ferry.db"));
    }
}
