package dev.ferry.embedded;

import dev.ferry.spi.Broker;
import dev.ferry.testing.BrokerContract;
import dev.ferry.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The embedded broker passes the conformance suite, each test on a fresh database file. */
class EmbeddedBrokerConformanceTest extends BrokerContract {
    private final Map<Broker, Path> dirs = new HashMap<>();

    @Override
    protected Broker newBroker(ManualClock clock) {
        try {
            Path dir = Files.createTempDirectory("ferry-contract");
            EmbeddedBroker broker = EmbeddedBroker.builder(dir.resolve("ferry.db")).clock(clock).build();
            dirs.put(broker, dir);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void closeBroker(Broker b) {
        b.close();
        Path dir = dirs.remove(b);
        if (dir != null) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
