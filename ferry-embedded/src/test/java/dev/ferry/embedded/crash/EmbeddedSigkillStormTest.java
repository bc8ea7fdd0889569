package dev.ferry.embedded.crash;

import dev.ferry.testing.crash.SigkillStormContract;
import java.nio.file.Path;

/** Worker JVMs on one embedded file, SIGKILLed mid-run. */
class EmbeddedSigkillStormTest extends SigkillStormContract {
    @Override
    protected String brokerUrl(Path dir) {
        return "sqlite:" + dir.resolve("crash.db");
    }
}
