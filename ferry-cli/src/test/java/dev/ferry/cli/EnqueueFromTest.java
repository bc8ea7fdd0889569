package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Ferry;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnqueueFromTest {
    @TempDir
    Path dir;

    @Test
    void goodLinesAreEnqueuedAndBadOnesReportedByLineNumber() throws IOException {
        Cli cli = new Cli(dir);
        Path file = dir.resolve("tasks.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"queue\":\"default\",\"type\":\"demo.echo\",\"payload\":{\"n\":1}}",                 // 1 ok
                "{\"queue\":\"default\",\"type\":\"demo.echo\",\"payload\":{\"n\":2},\"priority\":500}",  // 2 bad priority
                "",                                                                                       // 3 blank
                "{\"queue\":\"low\",\"type\":\"demo.sleep\",\"payload\":{\"ms\":5},\"delay\":\"10m\",\"id\":\"s1\"}", // 4 ok
                "not json",                                                                               // 5 bad
                "{\"queue\":\"low\",\"type\":\"demo.echo\",\"id\":\"s1\"}",                              // 6 duplicate of 4
                "{\"queue\":\"default\",\"type\":\"demo.echo\",\"dealy\":\"5s\"}",                       // 7 unknown field
                "{\"queue\":\"default\",\"type\":\"demo.echo\",\"delay\":\"-5s\"}",                      // 8 negative delay
                "{\"queue\":\"bad queue\",\"type\":\"demo.echo\"}",                                      // 9 bad queue
                "{\"type\":\"demo.echo\",\"queue\":\"critical\",\"maxAttempts\":2,\"timeout\":1500,\"uniqueKey\":\"u\",\"uniqueFor\":\"1h\"}", // 10 ok
                "   ",                                                                                    // 11 blank
                "[1,2]"));                                                                                // 12 not an object
        Cli.Result r = cli.run("enqueue", "--from", file.toString());

        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.out().strip()).isEqualTo("accepted 3, duplicates 1, refused 6");
        // refused lines are reported as they are read, duplicates when their batch is stored
        assertThat(r.errLines()).as(r.toString()).extracting(l -> l.substring(0, l.indexOf(':')))
                .containsExactlyInAnyOrder("line 2", "line 5", "line 6", "line 7", "line 8", "line 9", "line 12");
        assertThat(r.err()).contains("line 2: invalid priority", "line 5: is not valid JSON", "line 6: duplicate",
                "line 7: invalid dealy: unknown field", "line 8: invalid delay", "line 9: invalid queue", "line 12: must be a JSON object");

        try (Ferry ferry = Ferry.open(cli.broker)) {
            assertThat(ferry.inspector().queue("default").count(TaskState.PENDING)).isEqualTo(1);
            assertThat(ferry.inspector().queue("low").count(TaskState.SCHEDULED)).isEqualTo(1);
            TaskInfo critical = ferry.inspector().tasks("critical", TaskState.PENDING, 0, 10).tasks().get(0);
            assertThat(critical.maxAttempts()).isEqualTo(2);
            assertThat(critical.timeout().toMillis()).isEqualTo(1500);
            assertThat(critical.uniqueKey()).isEqualTo("u");
        }
    }

    @Test
    void allGoodLinesExit0AndAreEnqueuedInBatches() throws IOException {
        Cli cli = new Cli(dir);
        Path file = dir.resolve("many.jsonl");
        int n = EnqueueCommand.BATCH * 2 + 345;
        Files.writeString(file, IntStream.range(0, n)
                .mapToObj(i -> "{\"queue\":\"bulk\",\"type\":\"demo.echo\",\"payload\":{\"i\":" + i + "}}")
                .collect(Collectors.joining("\n", "", "\n")));
        Cli.Result r = cli.run("enqueue", "--from", file.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("accepted " + n + ", duplicates 0, refused 0");
        assertThat(r.err()).isEmpty();
        try (Ferry ferry = Ferry.open(cli.broker)) {
            QueueStats bulk = ferry.inspector().queue("bulk");
            assertThat(bulk.count(TaskState.PENDING)).isEqualTo(n);
        }
    }

    @Test
    void readsStandardInputForDash() {
        Cli cli = new Cli(dir);
        Cli.Result r = cli.runWithStdin("{\"queue\":\"default\",\"type\":\"demo.echo\"}\n\n{\"queue\":\"default\",\"type\":\"demo.echo\",\"id\":\"x\"}\n",
                "enqueue", "--from", "-");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("accepted 2, duplicates 0, refused 0");
    }

    @Test
    void aMissingFileIsBadUsage() {
        Cli.Result r = new Cli(dir).run("enqueue", "--from", dir.resolve("nope.jsonl").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--from", "no such file");
    }

    @Test
    void aLineThatIsNotUtf8TextIsRefusedByItsNumber() throws IOException {
        Path file = dir.resolve("binary.jsonl");
        byte[] good = "{\"queue\":\"default\",\"type\":\"demo.echo\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bytes = java.util.Arrays.copyOf(good, good.length + 3);
        bytes[good.length] = (byte) 0xff;
        bytes[good.length + 1] = (byte) 0xfe;
        bytes[good.length + 2] = '\n';
        Files.write(file, bytes);
        Cli.Result r = new Cli(dir).run("enqueue", "--from", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out().strip()).isEqualTo("accepted 1, duplicates 0, refused 1");
        assertThat(r.errLines()).containsExactly("line 2: is not UTF-8 text");
    }

    @Test
    void fromDoesNotMixWithSingleTaskArguments() {
        Cli.Result r = new Cli(dir).run("enqueue", "default", "demo.echo", "--from", "-");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().contains("--from");
    }
}
