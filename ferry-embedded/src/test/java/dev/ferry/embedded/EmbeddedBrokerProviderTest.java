package dev.ferry.embedded;

import static dev.ferry.embedded.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Brokers;
import dev.ferry.spi.Broker;
import dev.ferry.spi.BrokerProvider;
import dev.ferry.spi.EnqueueRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sqlite:} URL scheme and its options. */
class EmbeddedBrokerProviderTest {
    private final BrokerProvider provider = new EmbeddedBrokerProvider();

    @TempDir
    Path dir;

    @Test
    void servesTheSqliteScheme() {
        assertThat(provider.schemes()).containsExactly("sqlite");
    }

    @Test
    void parsesRelativeAndAbsoluteFileUrls() {
        assertThat(EmbeddedBrokerProvider.path("sqlite:./ferry.db")).isEqualTo(Path.of("./ferry.db"));
        assertThat(EmbeddedBrokerProvider.path("sqlite:data/ferry.db")).isEqualTo(Path.of("data/ferry.db"));
        assertThat(EmbeddedBrokerProvider.path("sqlite:/var/lib/app/ferry.db")).isEqualTo(Path.of("/var/lib/app/ferry.db"));
        assertThat(EmbeddedBrokerProvider.path("sqlite:///var/lib/app/ferry.db"))
                .isEqualTo(Path.of("/var/lib/app/ferry.db"));
        assertThat(EmbeddedBrokerProvider.path("SQLITE:./ferry.db")).isEqualTo(Path.of("./ferry.db"));
    }

    @Test
    void refusesUrlsThatNameNoFile() {
        assertThatThrownBy(() -> EmbeddedBrokerProvider.path("sqlite:")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no file");
        assertThatThrownBy(() -> EmbeddedBrokerProvider.path("sqlite::memory:"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in-memory");
        assertThatThrownBy(() -> EmbeddedBrokerProvider.path("redis://localhost"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a sqlite URL");
        assertThatThrownBy(() -> EmbeddedBrokerProvider.path("sqlite:./f.db?synchronous=FULL"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options");
    }

    @Test
    void opensAWorkingBrokerWithOptions() {
        Path file = dir.resolve("ferry.db");
        try (Broker broker = provider.open("sqlite:" + file,
                Map.of("synchronous", "full", "pollInterval", "200ms", "busyTimeout", "PT2S"))) {
            assertThat(broker).isInstanceOf(EmbeddedBroker.class);
            assertThat(((EmbeddedBroker) broker).file()).isEqualTo(file);
            assertThat(broker.enqueue(new EnqueueRequest(java.util.List.of(task("q")))).results().get(0).created())
                    .isTrue();
        }
    }

    @Test
    void unknownOptionsAreRefusedByName() {
        assertThatThrownBy(() -> provider.open("sqlite:" + dir.resolve("f.db"), Map.of("journal_mode", "DELETE")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("journal_mode")
                .hasMessageContaining("synchronous");
        assertThat(dir.resolve("f.db")).doesNotExist();
    }

    @Test
    void badOptionValuesAreRefusedByName() {
        String url = "sqlite:" + dir.resolve("f.db");
        assertThatThrownBy(() -> provider.open(url, Map.of("synchronous", "OFF")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("synchronous").hasMessageContaining("OFF");
        assertThatThrownBy(() -> provider.open(url, Map.of("pollInterval", "soon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval").hasMessageContaining("soon");
        assertThatThrownBy(() -> provider.open(url, Map.of("pollInterval", "0ms")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval");
    }

    @Test
    void durationsReadIsoAndShortForms() {
        assertThat(EmbeddedBrokerProvider.duration("x", "200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(EmbeddedBrokerProvider.duration("x", "5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(EmbeddedBrokerProvider.duration("x", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(EmbeddedBrokerProvider.duration("x", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(EmbeddedBrokerProvider.duration("x", "PT0.25S")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void isFoundThroughTheCoreByItsScheme() {
        Path file = dir.resolve("found.db");
        try (Broker broker = Brokers.open("sqlite:" + file)) {
            assertThat(broker).isInstanceOf(EmbeddedBroker.class);
        }
    }

    @Test
    void isRegisteredForTheClassPathToo() throws IOException {
        try (InputStream in = EmbeddedBrokerProvider.class.getResourceAsStream(
                "/META-INF/services/dev.ferry.spi.BrokerProvider")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
                    .isEqualTo(EmbeddedBrokerProvider.class.getName());
        }
    }
}
