package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The real shaded {@code ferry.jar} in child JVMs, as a user runs it: the manifest, the merged
 * {@code META-INF/services} (the sqlite backend must be found), exit codes across a process
 * boundary, and a worker stopped with SIGTERM exiting 0. Runs in {@code integration-test}, after
 * {@code package} built the jar.
 */
class FerryJarIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static Path jar;
    static String java;

    @BeforeAll
    static void findJarAndJava() {
        jar = Path.of(System.getProperty("ferry.jar", "target/ferry.jar"));
        assertThat(jar).as("the shaded jar (built by `package`)").exists();
        java = ProcessHandle.current().info().command().orElse("java");
    }

    record Run(int code, String out, String err) {
    }

    private ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("FERRY_BROKER");
        pb.environment().remove("FERRY_DEBUG");
        return pb;
    }

    private Run run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = builder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("ferry %s finished", List.of(args)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void enqueueAndInspectWithTheDefaultStoreInTheWorkingDirectory() throws Exception {
        Run enqueue = run("enqueue", "default", "demo.echo", "--payload", "{\"hi\":1}", "--id", "first");
        assertThat(enqueue.code()).as(enqueue.toString()).isZero();
        assertThat(enqueue.out().strip()).isEqualTo("first");
        assertThat(dir.resolve("ferry.db")).exists(); // sqlite:./ferry.db, relative to the working directory

        Run queues = run("queues", "--json");
        assertThat(queues.code()).as(queues.toString()).isZero();
        JsonNode q = Json.MAPPER.readTree(queues.out()).get("queues").get(0);
        assertThat(q.get("queue").stringValue()).isEqualTo("default");
        assertThat(q.get("pending").longValue()).isEqualTo(1);

        Run bad = run("enqueue", "default", "demo.echo", "--priority", "500");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().lines().filter(l -> !l.isBlank())).singleElement().asString().contains("--priority");

        Run missing = run("task", "nope");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip()).isEqualTo("ferry: task nope not found");

        Run version = run("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("ferry 0.").contains("Java ");
    }

    @Test
    void aWorkerStopsGracefullyOnSigtermAndExits0() throws Exception {
        String broker = "sqlite:" + dir.resolve("worker.db");
        Run enqueue = run("enqueue", "default", "demo.echo", "--payload", "{\"n\":7}", "--id", "echo-1", "--broker", broker);
        assertThat(enqueue.code()).as(enqueue.toString()).isZero();

        Path log = dir.resolve("worker.log");
        Process worker = builder("worker", "--queues", "default", "--broker", broker)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(WAIT).until(() -> Files.readString(log).contains(" started: queues default"));
            await().atMost(WAIT).until(() -> {
                Run task = run("task", "echo-1", "--json", "--broker", broker);
                return Json.MAPPER.readTree(task.out()).get("state").stringValue().equals("completed");
            });
            worker.destroy(); // SIGTERM
            assertThat(worker.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(log);
            assertThat(worker.exitValue()).as(output).isZero();
            assertThat(output).contains("SIGTERM: stopping gracefully", "stopped: 1 succeeded");
        } finally {
            worker.destroyForcibly();
        }
    }

    @Test
    void theDemoRunsFromTheJar() throws Exception {
        Run demo = run("demo", "--orders", "20");
        assertThat(demo.code()).as(demo.toString()).isZero();
        assertThat(demo.out()).contains("orders charged twice: 0", "poison order is in the dead set");
    }
}
