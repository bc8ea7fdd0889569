package dev.ferry.cli;

import dev.ferry.bench.Bench;
import dev.ferry.bench.BenchOptions;
import dev.ferry.bench.BenchReport;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry bench}: the end-to-end load run of module ferry-bench ({@link Bench}). Progress goes
 * to stderr, the report to stdout (a table, or JSON with {@code --json}). Like the demo it uses a
 * fresh temp store unless {@code --broker} is given; {@code $FERRY_BROKER} is not used, so a
 * bench never fills a store that holds real tasks by accident.
 */
@Command(name = "bench", description = {"Measure enqueue, batch enqueue, drain throughput and pickup latency.",
        "Uses a fresh temporary store unless --broker is given."})
final class BenchCommand extends BaseCommand {
    @Option(names = "--tasks", paramLabel = "N", description = "Tasks per throughput phase (default 100000).")
    Integer tasks;

    @Option(names = "--concurrency", paramLabel = "N", description = "Handler slots of the draining worker (default 64).")
    Integer concurrency;

    @Option(names = "--producers", paramLabel = "N", description = "Threads that enqueue at once (default 8).")
    Integer producers;

    @Option(names = "--depth", description = "Also drain with 1,000,000 tasks pending elsewhere and 1,000,000 finished (takes minutes).")
    boolean depth;

    @Option(names = "--json", description = "Print the report as JSON instead of a table.")
    boolean json;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON report to FILE.")
    Path jsonOut;

    @Override
    int run() {
        BenchOptions options = BenchOptions.defaults();
        if (brokerUrl != null) {
            options = options.withBrokerUrl(brokerUrl);
        }
        if (tasks != null) {
            options = options.withTasks(tasks);
        }
        if (concurrency != null) {
            options = options.withConcurrency(concurrency);
        }
        if (producers != null) {
            options = options.withProducers(producers);
        }
        options = options.withDepth(depth).withJsonOut(jsonOut);
        BenchReport report;
        try (PrintStream progress = new PrintStream(new WriterStream(err()), true, StandardCharsets.UTF_8)) {
            report = Bench.run(options, progress);
        }
        out().println(json ? report.toJson() : report.toTable());
        return FerryCli.EXIT_OK;
    }

    /** Bytes to the command's error writer, decoded a flush at a time (PrintStream flushes whole lines). */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter target;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        WriterStream(PrintWriter target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            pending.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
        }

        @Override
        public synchronized void flush() {
            target.write(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
            target.flush();
        }

        @Override
        public void close() {
            flush(); // the command's writer stays open: it is not ours to close
        }
    }
}
