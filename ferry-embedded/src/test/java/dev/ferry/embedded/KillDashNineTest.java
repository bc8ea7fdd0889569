package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.TaskState;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged enqueue survives {@code kill -9} of the process (synchronous=NORMAL in WAL
 * mode: the commit is in the WAL file, which the OS keeps when the process dies).
 */
class KillDashNineTest {
    private static final int ACKS_BEFORE_KILL = 1_500;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEnqueueIsThereAfterTheProcessIsKilled() throws Exception {
        Path file = dir.resolve("ferry.db");
        Process child = start(file);
        List<String> acked = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> readAcks(child, acked));
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> acked.size() >= ACKS_BEFORE_KILL || !child.isAlive());
            assertThat(child.isAlive()).as("the child is still enqueueing").isTrue();
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no final checkpoint
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        reader.join(Duration.ofSeconds(10));

        try (EmbeddedBroker broker = EmbeddedBroker.open(file)) {
            for (String id : acked) {
                assertThat(broker.get(id)).as("acknowledged task %s", id).isPresent();
            }
            long pending = broker.stats(List.of("crash")).get(0).count(TaskState.PENDING);
            assertThat(pending).isGreaterThanOrEqualTo(acked.size());
            // The maintained count was committed with the rows: it matches a recount.
            try (Connection c = Fixtures.raw(file); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM ferry_task WHERE queue = 'crash'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(pending);
            }
        }
    }

    private static Process start(Path file) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // The test runs on the module path or the class path depending on the build: give the
        // child both, flattened into a class path.
        List<String> path = new ArrayList<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                path.add(value);
            }
        }
        List<String> cmd = List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, path), EnqueueUntilKilled.class.getName(), file.toString(), "4");
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void readAcks(Process child, List<String> acked) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                // Only whole lines count: the last one may be cut by the kill.
                if (line.startsWith("ACK ") && line.endsWith(" .")) {
                    acked.add(line.substring(4, line.length() - 2));
                }
            }
        } catch (IOException e) {
            // The pipe breaks when the child dies: what was read so far is what was acknowledged.
        }
    }
}
