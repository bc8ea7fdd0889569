package dev.ferry.embedded;

import dev.ferry.spi.Broker;
import dev.ferry.testing.WorkflowContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Workflows on the embedded SQLite broker, each test on a fresh file. */
class EmbeddedWorkflowTest extends WorkflowContract {
    @TempDir
    Path dir;

    @Override
    protected Broker newBroker() {
        return EmbeddedBroker.open(dir.resolve("ferry.db"));
    }
}
