package dev.ferry.bench;

import dev.ferry.InvalidInputException;
import java.nio.file.Path;

/**
 * Runs {@link Bench} standalone:
 * <pre>
 * java -cp ... dev.ferry.bench.BenchMain [--broker URL] [--tasks N] [--concurrency N]
 *      [--producers N] [--depth] [--depth-delayed] [--json] [--out FILE]
 * </pre>
 * Progress goes to standard error; the report (a table, or JSON with {@code --json}) to standard output.
 */
public final class BenchMain {
    private BenchMain() {
    }

    static final String USAGE = """
            usage: BenchMain [--broker URL] [--tasks N] [--concurrency N] [--producers N]
                             [--depth] [--depth-delayed] [--json] [--out FILE]
              --broker URL       broker to measure (default: a fresh temp SQLite file, deleted afterwards)
              --tasks N          tasks per throughput phase (default 100000)
              --concurrency N    handler slots of the draining worker (default 64)
              --producers N      enqueuing threads (default 8)
              --depth            also drain with 1M tasks pending in other queues and 1M finished (minutes)
              --depth-delayed    --depth, but the 1M unfinished tasks are delayed by a day, in the drained queues
              --json             print the report as JSON instead of a table
              --out FILE         also write the JSON report to FILE (alias: --json-out)""";

    public static void main(String[] args) {
        BenchOptions options;
        boolean json = false;
        try {
            options = BenchOptions.defaults();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                switch (arg) {
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    case "--depth" -> options = options.withDepth(true);
                    case "--depth-delayed" -> options = options.withDepth(true).withDepthDelayed(true);
                    case "--json" -> json = true;
                    case "--broker" -> options = options.withBrokerUrl(value != null ? value : next(args, ++i, arg));
                    case "--tasks" -> options = options.withTasks(number(value != null ? value : next(args, ++i, arg), "tasks"));
                    case "--concurrency" -> options = options.withConcurrency(number(value != null ? value : next(args, ++i, arg), "concurrency"));
                    case "--producers" -> options = options.withProducers(number(value != null ? value : next(args, ++i, arg), "producers"));
                    case "--json-out", "--out" -> options = options.withJsonOut(Path.of(value != null ? value : next(args, ++i, arg)));
                    default -> throw new InvalidInputException("arguments", "unknown option '" + args[i] + "'");
                }
            }
        } catch (InvalidInputException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        BenchReport report = Bench.run(options, System.err);
        System.out.println(json ? report.toJson() : report.toTable());
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new InvalidInputException(option.substring(2), "needs a value");
        }
        return args[i];
    }

    private static int number(String text, String field) {
        try {
            return Integer.parseInt(text.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, "not a whole number: '" + text + "'");
        }
    }
}
