package dev.ferry.embedded;

import dev.ferry.spi.Broker;
import dev.ferry.testing.WorkerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The worker runtime's promises on the embedded SQLite broker, each test on a fresh file. */
class EmbeddedWorkerTest extends WorkerContract {
    @TempDir
    Path dir;

    @Override
    protected Broker newBroker() {
        return EmbeddedBroker.open(dir.resolve("ferry.db"));
    }
}
