package dev.ferry.embedded.crash;

import dev.ferry.testing.crash.SigtermDrainContract;
import java.nio.file.Path;

/** Worker JVMs on one embedded file, one sent SIGTERM during work. */
class EmbeddedSigtermDrainTest extends SigtermDrainContract {
    @Override
    protected String brokerUrl(Path dir) {
        return "sqlite:" + dir.resolve("crash.db");
    }
}
