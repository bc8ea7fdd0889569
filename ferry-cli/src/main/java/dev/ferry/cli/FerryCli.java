package dev.ferry.cli;

import dev.ferry.BrokerException;
import dev.ferry.FerryException;
import dev.ferry.InvalidInputException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The {@code ferry} command's entry point, and the factory that wires a picocli
 * {@link CommandLine} with Ferry's exit-code and error rules:
 * <ul>
 *   <li>{@value #EXIT_OK}: done;</li>
 *   <li>{@value #EXIT_FAILURE}: the operation failed (the broker could not be reached, a task is
 *       not there, the demo's checks did not hold);</li>
 *   <li>{@value #EXIT_USAGE}: bad usage or bad input (an unknown option, a bad duration, a task
 *       the client refuses with {@link InvalidInputException}).</li>
 * </ul>
 * Every error is one line on stderr; stack traces are printed only when the environment variable
 * {@code FERRY_DEBUG} is set.
 *
 * <p>Tests build the command line with {@link #commandLine} and their own streams and
 * environment, and call {@link CommandLine#execute} in-process.
 */
public final class FerryCli {
    /** Success. */
    public static final int EXIT_OK = 0;
    /** The operation failed. */
    public static final int EXIT_FAILURE = 1;
    /** Bad usage or bad input: nothing was done. */
    public static final int EXIT_USAGE = 2;

    private FerryCli() {
    }

    /** Runs {@code ferry} with the process's streams and environment, then exits with its code. */
    public static void main(String[] args) {
        // One line per log record: the worker runtime logs rare warnings through System.Logger (JUL here).
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        // The streams' own charsets (stdout.encoding), so non-ASCII payloads print as the terminal expects.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, System.out.charset()), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, System.err.charset()), true);
        CommandLine cl = commandLine(System.in, out, err, System.getenv());
        ((FerryCommand) cl.getCommand()).handleSignals(true);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * A fully wired {@code ferry} command line.
     *
     * @param in  what {@code enqueue --from -} reads
     * @param out normal output
     * @param err errors and progress
     * @param env the environment ({@code FERRY_BROKER}, {@code FERRY_DEBUG})
     */
    public static CommandLine commandLine(InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env) {
        FerryCommand root = new FerryCommand(in, env);
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(FerryCli::onParameterError);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> onExecutionError(ex, commandLine, env));
        return cl;
    }

    private static int onParameterError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = firstLine(ex.getMessage());
        if (!message.isEmpty()) {
            // picocli says "Invalid value for ..."; Ferry's own messages are lowercase after "ferry: "
            message = Character.toLowerCase(message.charAt(0)) + message.substring(1);
        }
        String sub = qualifiedName(cl.getCommandSpec());
        err.println("ferry: " + message + " (see 'ferry " + (sub.isEmpty() ? "" : sub + " ") + "--help')");
        err.flush();
        return EXIT_USAGE;
    }

    private static int onExecutionError(Exception ex, CommandLine cl, Map<String, String> env) {
        PrintWriter err = cl.getErr();
        int code;
        String line;
        if (ex instanceof CliException c) {
            code = c.exitCode();
            line = c.getMessage();
        } else if (ex instanceof InvalidInputException invalid) {
            code = EXIT_USAGE;
            line = describeInvalid(invalid, cl.getCommandSpec());
        } else if (ex instanceof BrokerException broker) {
            code = EXIT_FAILURE;
            line = "broker error: " + broker.getMessage() + (broker.isTransient() ? " (temporary: try again)" : "");
        } else if (ex instanceof FerryException) {
            code = EXIT_FAILURE;
            line = ex.getMessage();
        } else {
            code = EXIT_FAILURE;
            line = "unexpected error: " + ex;
        }
        err.println("ferry: " + firstLine(line));
        if (env.containsKey("FERRY_DEBUG")) {
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            err.print(trace);
        }
        err.flush();
        return code;
    }

    /**
     * {@code field: problem} becomes {@code invalid --option: problem} when the command has an
     * option for that field ({@code maxAttempts} is {@code --max-attempts}), so the message names
     * what the user typed.
     */
    static String describeInvalid(InvalidInputException e, CommandSpec spec) {
        String field = e.field();
        String message = e.getMessage();
        String problem = message.startsWith(field + ": ") ? message.substring(field.length() + 2) : message;
        String option = "--" + field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        OptionSpec found = spec == null ? null : spec.findOption(option);
        if (found == null && spec != null && option.endsWith("s")) {
            // the API's plural field for a repeatable option: states -> --state
            option = option.substring(0, option.length() - 1);
            found = spec.findOption(option);
        }
        return "invalid " + (found != null ? option : field) + ": " + problem;
    }

    private static String qualifiedName(CommandSpec spec) {
        String q = spec.qualifiedName(" ");
        int space = q.indexOf(' ');
        return space < 0 ? "" : q.substring(space + 1);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
