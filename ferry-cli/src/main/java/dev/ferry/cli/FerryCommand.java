package dev.ferry.cli;

import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ferry}: the root command. Holds what every subcommand shares (standard input and the
 * environment), so tests can run the whole command in-process with their own.
 */
@Command(name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Ferry, a durable task queue: run the demo or a worker, enqueue, inspect and administer tasks.",
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad usage or bad input.",
                "Broker: --broker URL, or $FERRY_BROKER, or sqlite:./ferry.db."},
        subcommands = {
                ServerCommand.class,
                DemoCommand.class,
                WorkerCommand.class,
                SchedulerCommand.class,
                CronCommand.class,
                EnqueueCommand.class,
                QueuesCommand.class,
                TasksCommand.class,
                TaskCommand.class,
                AdminCommands.Retry.class,
                AdminCommands.Cancel.class,
                AdminCommands.Delete.class,
                AdminCommands.Dead.class,
                AdminCommands.Pause.class,
                AdminCommands.Resume.class,
                AdminCommands.Purge.class,
                WorkersCommand.class,
                BenchCommand.class,
                Version.Command.class,
                HelpCommand.class})
public final class FerryCommand implements Callable<Integer> {
    private final InputStream in;
    private final Map<String, String> env;
    private volatile boolean handleSignals;

    @Spec
    CommandSpec spec;

    FerryCommand(InputStream in, Map<String, String> env) {
        this.in = in;
        this.env = Map.copyOf(env);
    }

    InputStream in() {
        return in;
    }

    Map<String, String> env() {
        return env;
    }

    /**
     * Lets long-running commands take over SIGINT and SIGTERM. Only the real process does
     * ({@link FerryCli#main}); in-process runs (tests) keep the host JVM's handlers.
     */
    void handleSignals(boolean handle) {
        this.handleSignals = handle;
    }

    boolean handlesSignals() {
        return handleSignals;
    }

    /** {@code ferry} alone: the usage, as an error (a command is required). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return FerryCli.EXIT_USAGE;
    }
}
