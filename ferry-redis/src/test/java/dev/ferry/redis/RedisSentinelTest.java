package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.TaskState;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis-sentinel://host:port#master}: a master and one Sentinel ({@code redis-server --sentinel})
 * started by the test; the broker finds the master through the Sentinel and runs tasks on it.
 */
class RedisSentinelTest {
    private static final String MASTER = "ferrymaster";

    @TempDir
    static Path dir;
    private static RedisServer master;
    private static Process sentinel;
    private static int sentinelPort;

    @BeforeAll
    static void start() throws IOException {
        master = RedisServer.start(dir.resolve("master"));
        sentinelPort = RedisServer.freePort();
        Path conf = dir.resolve("sentinel.conf"); // Sentinel rewrites its file: it must be writable
        Files.writeString(conf, String.join("\n",
                "port " + sentinelPort,
                "bind 127.0.0.1",
                "dir " + dir,
                "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 1",
                "sentinel down-after-milliseconds " + MASTER + " 5000", ""));
        Path log = dir.resolve("sentinel.out");
        sentinel = new ProcessBuilder("redis-server", conf.toString(), "--sentinel").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Awaitility.await("sentinel knows the master").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!sentinel.isAlive()) {
                        throw new AssertionError("sentinel exited: " + read(log));
                    }
                    return read(log).contains("+monitor master " + MASTER);
                });
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (sentinel != null) {
            sentinel.destroyForcibly();
            sentinel.waitFor(10, TimeUnit.SECONDS);
        }
        if (master != null) {
            master.close();
        }
    }

    @Test
    void theBrokerFindsTheMasterThroughTheSentinel() {
        try (RedisBroker broker = RedisBroker.builder("redis-sentinel://127.0.0.1:" + sentinelPort + "#" + MASTER)
                .keyPrefix(RedisTestSupport.newPrefix()).clientResources(RedisTestSupport.RESOURCES).build()) {
            NewTask task = new NewTask(UUID.randomUUID().toString(), "sentinel", "demo.echo", "{}", 0, Duration.ZERO, null, 3,
                    Duration.ofMinutes(1), null, null, Duration.ofHours(1), Duration.ofDays(1), Map.of());
            broker.enqueue(new EnqueueRequest(List.of(task)));
            List<ClaimedTask> claimed = broker.claim(new ClaimRequest("w1", List.of("sentinel"), 5, Duration.ofSeconds(30))).tasks();
            assertThat(claimed).extracting(t -> t.lease().taskId()).containsExactly(task.id());
            assertThat(broker.ack(new AckRequest(List.of(new Ack(claimed.get(0).lease(), new Outcome.Completed(null))))).rejected())
                    .isEmpty();
            assertThat(broker.stats(List.of("sentinel")).get(0).counts().get(TaskState.COMPLETED)).isEqualTo(1);
        }
        assertThat(master.command("DBSIZE")).as("the tasks live on the master").isNotEqualTo(":0");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
