package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.BrokerException;
import dev.ferry.TaskState;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.RecordCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://user:password@host} end to end: a TLS-only {@code redis-server} on a loopback
 * port, with a self-signed certificate made for the test by {@code openssl}, the default user
 * switched off and an ACL user for Ferry, granted only its prefix's keys and channels. The broker trusts the certificate through the
 * {@code caCertificate} option, host name verification on.
 */
class RedisTlsTest {
    private static final String USER = "ferry-app";
    private static final String PASSWORD = "s3cret-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "tlsapp";

    @TempDir
    static Path dir;
    private static RedisServer server;
    private static Path cert;

    @BeforeAll
    static void startTlsRedis() throws Exception {
        cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.toString(), "-out", cert.toString());
        server = RedisServer.startTls(dir.resolve("redis"),
                "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(), "--tls-ca-cert-file", cert.toString(),
                "--tls-auth-clients", "no",
                "--user", "default", "off",
                // The narrow grant docs/redis.md recommends: the prefix's keys and channels, no admin commands.
                "--user", USER, "on", ">" + PASSWORD, "~" + PREFIX + ":*", "~{" + PREFIX + "}:*", "&" + PREFIX + ":*",
                "+@read", "+@write", "+@scripting", "+@pubsub", "+@connection", "+info", "+time");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String password) {
        return "rediss://" + USER + ":" + password + "@127.0.0.1:" + server.port();
    }

    @Test
    void enqueueClaimAndAckOverTlsAsAnAclUser() {
        try (RedisBroker broker = RedisBroker.builder(url(PASSWORD)).caCertificate(cert).keyPrefix(PREFIX)
                .clientResources(RedisTestSupport.RESOURCES).build()) {
            List<NewTask> tasks = List.of(task(), task(), task());
            assertThat(broker.enqueue(new EnqueueRequest(tasks)).results()).hasSize(3);

            List<ClaimedTask> claimed = broker.claim(new ClaimRequest("w1", List.of("tls"), 10, Duration.ofSeconds(30))).tasks();
            assertThat(claimed).extracting(t -> t.lease().taskId())
                    .containsExactlyInAnyOrderElementsOf(tasks.stream().map(NewTask::id).toList());
            assertThat(broker.ack(new AckRequest(claimed.stream()
                    .map(t -> new Ack(t.lease(), new Outcome.Completed("{\"ok\":true}"))).toList())).rejected()).isEmpty();

            assertThat(broker.stats(List.of("tls")).get(0).counts().get(TaskState.COMPLETED)).isEqualTo(3);
            assertThat(broker.records(new RecordCommand.Put("cron", "k", "{}", false)).count()).isEqualTo(1);

            // The wake-up channel works for the ACL user too (pub/sub over TLS).
            CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
                try {
                    return broker.awaitWork(new AwaitRequest(List.of("tls"), Duration.ofSeconds(30)));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                broker.enqueue(new EnqueueRequest(List.of(task())));
                return woken.isDone();
            });
            assertThat(woken.join()).isTrue();
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorNotAHang() {
        assertThatThrownBy(() -> RedisBroker.builder(url("wrong")).caCertificate(cert).startupTimeout(Duration.ZERO)
                .clientResources(RedisTestSupport.RESOURCES).build())
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("cannot connect to Redis at rediss://" + USER + ":***@127.0.0.1:" + server.port())
                .hasMessageNotContaining("wrong");
    }

    @Test
    void anUntrustedCertificateIsRefused() {
        // Without caCertificate the JVM's trust store applies, and it does not know the test's certificate.
        assertThatThrownBy(() -> RedisBroker.builder(url(PASSWORD)).startupTimeout(Duration.ZERO)
                .clientResources(RedisTestSupport.RESOURCES).build())
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("cannot connect to Redis")
                .hasMessageContaining("certification path");
    }

    private static NewTask task() {
        return new NewTask(UUID.randomUUID().toString(), "tls", "demo.echo", "{}", 0, Duration.ZERO, null, 3,
                Duration.ofMinutes(1), null, null, Duration.ofHours(1), Duration.ofDays(1), Map.of());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "cmd", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " failed: " + Files.readString(out));
        }
    }
}
