package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Usage errors, version, help, workers and bench. */
class MiscCommandsTest {
    @TempDir
    Path dir;

    @Test
    void versionAndHelp() {
        Cli cli = new Cli(dir);
        Cli.Result v = cli.raw("--version");
        assertThat(v.code()).isZero();
        assertThat(v.out()).startsWith("ferry ").contains("Java ");
        assertThat(v.out()).doesNotContain("unknown");
        assertThat(cli.raw("version").out()).isEqualTo(v.out());
        Cli.Result help = cli.raw("enqueue", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--payload", "--unique-for", "--from");
    }

    @Test
    void usageErrorsAreOneLineAndExit2() {
        Cli cli = new Cli(dir);
        Cli.Result none = cli.raw();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("Usage: ferry");

        Cli.Result unknown = cli.raw("frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.errLines()).singleElement().asString().startsWith("ferry: ").contains("frobnicate");

        Cli.Result option = cli.raw("queues", "--bogus");
        assertThat(option.code()).isEqualTo(2);
        assertThat(option.errLines()).singleElement().asString().contains("--bogus", "ferry queues --help");
    }

    @Test
    void aBrokerThatCannotBeOpenedIsAFailureOnOneLine() throws Exception {
        Path notADir = dir.resolve("file");
        java.nio.file.Files.writeString(notADir, "x");
        Cli.Result r = new Cli(dir).raw("queues", "--broker", "sqlite:" + notADir.resolve("ferry.db"));
        assertThat(r.code()).as(r.toString()).isIn(1, 2);
        assertThat(r.errLines()).as(r.toString()).singleElement().asString().startsWith("ferry: ");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void workersListsNoneWhenNoneRuns() {
        Cli cli = new Cli(dir);
        assertThat(cli.run("workers").out()).contains("no live workers");
        assertThat(Json.MAPPER.readTree(cli.run("workers", "--json").out()).get("workers").size()).isZero();
    }

    @Test
    void benchRunsTheBenchLibraryAndPrintsItsReport() {
        Cli cli = new Cli(dir);
        Path report = dir.resolve("bench.json");
        Cli.Result r = cli.run("bench", "--tasks", "100", "--concurrency", "4", "--producers", "2", "--json", "--out", report.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertThat(json.get("tasks").intValue()).isEqualTo(100);
        assertThat(json.get("concurrency").intValue()).isEqualTo(4);
        assertThat(r.err()).contains("[1/4]");
        assertThat(report).exists();

        Cli.Result bad = cli.raw("bench", "--tasks", "0");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.errLines()).singleElement().asString().contains("--tasks");
    }
}
