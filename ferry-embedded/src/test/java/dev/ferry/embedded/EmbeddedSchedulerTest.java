package dev.ferry.embedded;

import dev.ferry.spi.Broker;
import dev.ferry.testing.ManualClock;
import dev.ferry.testing.SchedulerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The cron scheduler's promises on the embedded SQLite broker, each test on a fresh file. */
class EmbeddedSchedulerTest extends SchedulerContract {
    @TempDir
    Path dir;

    @Override
    protected Broker newBroker(ManualClock clock) {
        return EmbeddedBroker.builder(dir.resolve("ferry.db")).clock(clock).build();
    }
}
