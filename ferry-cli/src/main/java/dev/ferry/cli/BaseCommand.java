package dev.ferry.cli;

import dev.ferry.Brokers;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every subcommand has: its streams, the root's shared state, and {@code --broker}. */
abstract class BaseCommand implements Callable<Integer> {
    /** The environment variable that sets the broker when {@code --broker} is not given. */
    static final String BROKER_ENV = "FERRY_BROKER";

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--broker", paramLabel = "URL",
            description = {"Broker URL (default: $FERRY_BROKER,", "else " + Brokers.DEFAULT_URL + ")."})
    String brokerUrl;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    FerryCommand root() {
        return (FerryCommand) spec.root().userObject();
    }

    /** {@code --broker}, else {@code $FERRY_BROKER}, else {@code sqlite:./ferry.db}. */
    String broker() {
        if (brokerUrl != null) {
            return brokerUrl;
        }
        String env = root().env().get(BROKER_ENV);
        return env != null && !env.isBlank() ? env : Brokers.DEFAULT_URL;
    }

    Ferry openFerry() {
        return open(broker());
    }

    /**
     * Opens a Ferry on {@code url}. A backend's provider may refuse a malformed URL with a plain
     * {@link IllegalArgumentException}; that is bad input, so it is reported as such.
     */
    static Ferry open(String url) {
        try {
            return Ferry.open(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("broker", e.getMessage());
        }
    }

    @Override
    public final Integer call() throws Exception {
        try {
            return run();
        } finally {
            out().flush();
            err().flush();
        }
    }

    /** The command's work; returns the exit code. */
    abstract int run() throws Exception;
}
