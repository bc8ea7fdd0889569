package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ferry server} in-process, stopped the way its shutdown hook stops it on SIGTERM. */
class ServerCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final HttpClient http = HttpClient.newHttpClient();
    ServerCommand command;
    FutureTask<Integer> exit;

    private void start(Map<String, String> env, String... options) throws InterruptedException {
        Cli cli = new Cli(dir);
        CommandLine cl = Cli.commandLine(out, err, "", env);
        command = cl.getSubcommands().get("server").getCommand();
        String[] args = cli.withBroker(java.util.stream.Stream.concat(java.util.stream.Stream.of("server", "--port", "0"),
                java.util.stream.Stream.of(options)).toArray(String[]::new));
        exit = new FutureTask<>(() -> cl.execute(args));
        Thread.ofPlatform().name("ferry-server-command").start(exit);
        assertThat(command.awaitStarted(WAIT)).as("server started; stderr: %s", err).isTrue();
    }

    @AfterEach
    void stopIfRunning() {
        if (command != null) {
            command.requestStop();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(command.url() + path.substring(1))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheDashboardWithTheDemoWorkloadFlowingAndStopsWithExitZero() throws Exception {
        start(Map.of(), "--workers", "--demo-rate", "50");
        assertThat(out.toString()).contains("ferry server: dashboard http://127.0.0.1:");
        assertThat(get("/").statusCode()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/api/v1/queues").body()).contains("\"queue\":\"default\"")
                .containsPattern("\"completed\":[1-9]"));
        assertThat(get("/metrics").body()).contains("ferry_task_processing_seconds_bucket");
        command.stopAndWait();
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("ferry server: stopping");
    }

    @Test
    void aNonLoopbackHostWithoutCredentialsIsBadUsage() {
        Cli.Result r = new Cli(dir).run("server", "--host", "0.0.0.0", "--port", "0");
        assertThat(r.code()).isEqualTo(FerryCli.EXIT_USAGE);
        assertThat(r.err()).contains("without credentials").contains("FERRY_SERVER_TOKEN");
    }

    @Test
    void credentialsComeFromTheEnvironment() throws Exception {
        start(Map.of("FERRY_SERVER_TOKEN", "operator-token-123456"));
        assertThat(get("/api/v1/queues").statusCode()).isEqualTo(401);
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(command.url() + "api/v1/queues"))
                .header("Authorization", "Bearer operator-token-123456").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
    }
}
