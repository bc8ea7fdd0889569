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

/** {@code ferry cron add/list/remove}, {@code ferry scheduler} and {@code ferry task ID --why} against a real store. */
class SchedulerAndCronCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    SchedulerCommand command;

    @AfterEach
    void stopIfRunning() {
        if (command != null) {
            command.requestStop();
        }
    }

    @Test
    void cronAddListAndRemoveWithClearErrors() {
        Cli cli = new Cli(dir);
        Cli.Result added = cli.run("cron", "add", "nightly", "0 2 * * *", "report.nightly", "--zone", "Europe/Berlin",
                "--queue", "low", "--payload", "{\"kind\":\"sales\"}", "--overlap", "skip_if_running");
        assertThat(added.code()).as(added.toString()).isZero();
        assertThat(added.out()).contains("added schedule nightly (0 2 * * *, Europe/Berlin): next fire at ");

        Cli.Result list = cli.run("cron", "list");
        assertThat(list.code()).as(list.toString()).isZero();
        assertThat(list.out()).contains("nightly", "0 2 * * *", "Europe/Berlin", "report.nightly", "low", "fire_once", "skip_if_running", "store");

        Cli.Result again = cli.run("cron", "add", "nightly", "every 5m", "x");
        assertThat(again.code()).as(again.toString()).isEqualTo(FerryCli.EXIT_USAGE);
        assertThat(again.err()).contains("name: a schedule named 'nightly' is stored already");
        Cli.Result badCron = cli.run("cron", "add", "broken", "61 * * * *", "x");
        assertThat(badCron.code()).isEqualTo(FerryCli.EXIT_USAGE);
        assertThat(badCron.err()).contains("cron:");
        Cli.Result badZone = cli.run("cron", "add", "broken", "0 * * * *", "x", "--zone", "Mars/Base");
        assertThat(badZone.err()).contains("zone: unknown time zone 'Mars/Base'");
        Cli.Result badPolicy = cli.run("cron", "add", "broken", "0 * * * *", "x", "--misfire", "sometimes");
        assertThat(badPolicy.err()).contains("misfire: unknown policy 'sometimes'");
        assertThat(cli.run("cron", "list").out()).doesNotContain("broken");

        assertThat(cli.run("cron", "remove", "nightly").out()).contains("removed schedule nightly");
        Cli.Result gone = cli.run("cron", "remove", "nightly");
        assertThat(gone.code()).isEqualTo(FerryCli.EXIT_FAILURE);
        assertThat(gone.err()).contains("no schedule named 'nightly'");
    }

    @Test
    void theSchedulerPromotesDelayedTasksFiresStoredSchedulesAndStopsCleanly() throws Exception {
        Cli cli = new Cli(dir);
        String delayed = cli.run("enqueue", "default", "demo.echo", "--delay", "300ms").out().strip();
        assertThat(cli.run("cron", "add", "every-second", "every 1s", "demo.echo").code()).isZero();

        CommandLine cl = Cli.commandLine(out, err, "", Map.of());
        command = cl.getSubcommands().get("scheduler").getCommand();
        String[] args = cli.withBroker("scheduler", "--tick", "200ms");
        FutureTask<Integer> exit = new FutureTask<>(() -> cl.execute(args));
        Thread.ofPlatform().name("ferry-scheduler-command").start(exit);
        assertThat(command.awaitStarted(WAIT)).as("scheduler started; stderr: %s", err).isTrue();
        assertThat(out.toString()).contains("scheduler ", "started: promoting due tasks");

        try (Ferry ferry = Ferry.open(cli.broker)) {
            // no worker runs: only the scheduler's housekeeper can make the delayed task ready
            await().atMost(WAIT).until(() -> ferry.inspector().task(delayed).map(TaskInfo::state).orElse(null) == TaskState.PENDING);
            await().atMost(WAIT).until(() -> ferry.inspector().tasks("default", TaskState.PENDING, 0, 100).tasks().stream()
                    .anyMatch(t -> t.id().startsWith("cron.every-second.")));

            Cli.Result why = cli.run("task", delayed, "--why");
            assertThat(why.code()).as(why.toString()).isZero();
            assertThat(why.out()).startsWith("no_worker: ready, but no live worker has polled queue 'default'");
        }
        command.requestStop();
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("scheduler stopped");

        Cli.Result unknown = cli.run("task", "nope-42", "--why");
        assertThat(unknown.code()).isEqualTo(FerryCli.EXIT_FAILURE);
        assertThat(unknown.out()).startsWith("not_found: no task nope-42");
    }
}
