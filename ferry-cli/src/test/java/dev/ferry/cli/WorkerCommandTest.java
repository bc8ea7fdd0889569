package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ferry worker} in-process: it runs on a thread of its own and is stopped with
 * {@link WorkerCommand#stopAndWait()}, exactly what its JVM shutdown hook runs on SIGTERM.
 */
class WorkerCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    WorkerCommand command;
    FutureTask<Integer> exit;

    private Cli start(String... options) throws InterruptedException {
        Cli cli = new Cli(dir);
        CommandLine cl = Cli.commandLine(out, err, "", Map.of());
        command = cl.getSubcommands().get("worker").getCommand();
        String[] args = cli.withBroker(java.util.stream.Stream.concat(java.util.stream.Stream.of("worker"),
                java.util.stream.Stream.of(options)).toArray(String[]::new));
        exit = new FutureTask<>(() -> cl.execute(args));
        Thread.ofPlatform().name("ferry-worker-command").start(exit);
        assertThat(command.awaitStarted(WAIT)).as("worker started; stderr: %s", err).isTrue();
        return cli;
    }

    @AfterEach
    void stopIfRunning() {
        if (command != null) {
            command.requestStop();
        }
    }

    @Test
    void processesTheBuiltInHandlersAndStopsGracefully() throws Exception {
        Cli cli = start("--queues", "default,other", "--concurrency", "4", "--retry-base", "50ms");
        assertThat(out.toString()).contains("worker ", " started: queues default,other, concurrency 4");

        String echo = cli.run("enqueue", "default", "demo.echo", "--payload", "{\"hello\":\"world\"}").out().strip();
        String flaky = cli.run("enqueue", "other", "demo.fail", "--payload", "{\"times\":1}").out().strip();
        String hopeless = cli.run("enqueue", "default", "demo.fail", "--payload", "{\"times\":-1}", "--max-attempts", "2").out().strip();
        String nap = cli.run("enqueue", "default", "demo.sleep", "--payload", "{\"ms\":5}").out().strip();

        try (Ferry ferry = Ferry.open(cli.broker)) {
            await().atMost(WAIT).until(() -> state(ferry, echo) == TaskState.COMPLETED
                    && state(ferry, flaky) == TaskState.COMPLETED
                    && state(ferry, hopeless) == TaskState.DEAD
                    && state(ferry, nap) == TaskState.COMPLETED);
            TaskInfo echoed = ferry.inspector().task(echo).orElseThrow();
            assertThat(Json.value(echoed.resultJson())).isEqualTo(Json.value("{\"hello\":\"world\"}"));
            TaskInfo retried = ferry.inspector().task(flaky).orElseThrow();
            assertThat(retried.attempt()).isEqualTo(2);
            assertThat(Json.value(retried.resultJson()).get("succeededOnAttempt").intValue()).isEqualTo(2);
            TaskInfo dead = ferry.inspector().task(hopeless).orElseThrow();
            assertThat(dead.errors()).hasSize(2);
            assertThat(dead.lastError().message()).contains("fails as asked");
        }

        command.stopAndWait();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("stopping", "stopped: 3 succeeded, 3 failed attempts");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aTaskStillRunningAfterTheGracePeriodGoesBackToPendingUncounted() throws Exception {
        Cli cli = start("--queues", "default", "--shutdown-grace", "200ms");
        String sleeper = cli.run("enqueue", "default", "demo.sleep", "--payload", "{\"ms\":600000}").out().strip();
        try (Ferry ferry = Ferry.open(cli.broker)) {
            await().atMost(WAIT).until(() -> state(ferry, sleeper) == TaskState.ACTIVE);
            command.stopAndWait();
            assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
            TaskInfo released = ferry.inspector().task(sleeper).orElseThrow();
            assertThat(released.state()).isEqualTo(TaskState.PENDING);
            assertThat(released.attempt()).isZero();
        }
    }

    @Test
    void healthPortServesProbesAndMetricsAndExitWhenIdleEndsAOneOffJob() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String echo = new Cli(dir).run("enqueue", "default", "demo.echo", "--payload", "{\"a\":1}").out().strip();
        Cli cli = start("--queues", "default", "--health-port", String.valueOf(port), "--health-host", "127.0.0.1",
                "--exit-when-idle", "3s");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(get.apply("/healthz").statusCode()).isEqualTo(200);
        assertThat(get.apply("/readyz").statusCode()).isEqualTo(200);
        try (Ferry ferry = Ferry.open(cli.broker)) {
            await().atMost(WAIT).until(() -> state(ferry, echo) == TaskState.COMPLETED);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(get.apply("/metrics").body())
                .contains("ferry_task_processing_seconds_count{outcome=\"succeeded\",queue=\"default\",type=\"demo.echo\"} 1"));
        // nothing more to do: the worker stops by itself, as a Job's pod should
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("idle for 3s: stopping", "stopped: 1 succeeded");
    }

    @Test
    void badLimitsAreBadUsage() {
        Cli.Result r = new Cli(dir).run("worker", "--limit", "emails=0/1s");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("limit.limit: must be at least 1");
    }

    @Test
    void badQueuesAreBadUsage() {
        Cli.Result r = new Cli(dir).run("worker", "--queues", "a:x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--queues");
    }

    private static TaskState state(Ferry ferry, String id) {
        return ferry.inspector().task(id).map(TaskInfo::state).orElse(null);
    }
}
