package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.BrokerException;
import dev.ferry.spi.Broker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safety at start, on redis-server processes this test starts itself (never the shared one):
 * an evicting server is refused unless allowed, and an unreachable server is a clear, transient
 * error — or, within the startup timeout, waited for with backoff.
 */
class RedisStartupTest {
    @TempDir
    Path dir;

    @Test
    void aServerThatMayEvictIsRefusedUnlessAllowed() {
        try (RedisServer server = RedisServer.start(dir, "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru")) {
            assertThatThrownBy(() -> RedisBroker.builder(server.url()).startupTimeout(Duration.ZERO).build())
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.isTransient()).isFalse())
                    .hasMessageContaining("maxmemory-policy allkeys-lru")
                    .hasMessageContaining("noeviction")
                    .hasMessageContaining("allowEviction");

            try (Broker allowed = RedisBroker.builder(server.url()).allowEviction(true).build()) {
                assertThat(allowed.stats(java.util.List.of())).isEmpty();
            }
        }
    }

    @Test
    void aServerThatIsDownAtStartIsAClearTransientError() {
        RedisServer down = RedisServer.notStarted(dir);

        assertThatThrownBy(() -> RedisBroker.builder(down.url()).startupTimeout(Duration.ofMillis(300)).build())
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageContaining("cannot connect to Redis at " + down.url())
                .hasMessageContaining("startupTimeout");
    }

    @Test
    void aServerThatComesUpWithinTheStartupTimeoutIsWaitedFor() throws Exception {
        try (RedisServer late = RedisServer.notStarted(dir)) {
            CompletableFuture<RedisBroker> opening = CompletableFuture.supplyAsync(
                    () -> RedisBroker.builder(late.url()).startupTimeout(Duration.ofSeconds(30)).build());
            late.start();
            try (RedisBroker broker = opening.get()) {
                assertThat(broker.stats(java.util.List.of())).isEmpty();
            }
        }
    }
}
