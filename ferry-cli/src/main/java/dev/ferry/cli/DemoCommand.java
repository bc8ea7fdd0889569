package dev.ferry.cli;

import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry demo}: the {@linkplain OrderDemo order pipeline} on the embedded store, with a live
 * progress line and a summary. Uses a fresh temp store (deleted afterwards) unless
 * {@code --broker} is given, so every run starts from zero; {@code $FERRY_BROKER} is deliberately
 * not used, as it usually names a store with real tasks.
 */
@Command(name = "demo", description = {"Run the order pipeline as workflows (validate, then charge and inventory in parallel, finalize, notify)"
        + " with retries, idempotent charges and a dead letter.",
        "Uses a fresh temporary store unless --broker is given."})
final class DemoCommand extends BaseCommand {
    @Option(names = "--orders", paramLabel = "N", defaultValue = "200", description = "Orders to place, 1 to 100000 (default ${DEFAULT-VALUE}).")
    int orders;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "16", description = "The worker's handler slots (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Override
    int run() throws InterruptedException {
        if (orders < 1 || orders > 100_000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--orders': must be between 1 and 100000, was " + orders);
        }
        PrintWriter out = out();
        PrintWriter err = err();
        out.println("Ferry demo: " + orders + " orders, each a workflow " + OrderDemo.VALIDATE + " -> (" + OrderDemo.CHARGE + " | "
                + OrderDemo.INVENTORY + ") -> " + OrderDemo.FINALIZE + " -> " + OrderDemo.NOTIFY + ", one worker on " + OrderDemo.QUEUES.entrySet().stream()
                        .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")) + " x" + concurrency);
        out.flush();
        OrderDemo.Report report = new OrderDemo(orders, concurrency, brokerUrl).run(p -> {
            err.print(String.format(Locale.ROOT, "\r  %.1fs  orders done %d/%d  processed %d  retried %d  dead %d   ",
                    p.elapsed().toMillis() / 1000.0, p.ordersDone(), p.orders(), p.processed(), p.retried(), p.dead()));
            err.flush();
        });
        err.println();
        err.flush();
        print(out, report);
        List<String> problems = report.problems();
        if (!problems.isEmpty()) {
            throw new CliException(FerryCli.EXIT_FAILURE, "demo check failed: " + String.join("; ", problems));
        }
        return FerryCli.EXIT_OK;
    }

    private static void print(PrintWriter out, OrderDemo.Report r) {
        Table t = new Table("WHAT", ">VALUE", "NOTE");
        t.row("orders", r.orders(), r.byQueue().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")));
        t.row("orders completed", r.ordersCompleted(), "validated, charged, reserved, finalized and notified");
        t.row("workflows", r.workflows().entrySet().stream().map(e -> e.getValue() + " " + e.getKey().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ")), "as the inspector shows them; the poison order's fails and cancels the rest");
        t.row("finalize runs", r.finalizeRuns().values().stream().mapToInt(Integer::intValue).sum(),
                "the chord callback: once per order, with the receipt and the reservation");
        t.row("tasks processed", r.processed(), "successful attempts of all five steps");
        t.row("retried", r.retried(), "failed attempts run again after backoff (100ms, x2, 10% jitter)");
        t.row("dead", r.dead(), deadNote(r.deadTasks()));
        t.row("real charges", r.realCharges(), "made by the payment gateway; orders charged twice: " + r.doubleCharged());
        t.row("handler latency p50", ms(r.taskLatency(), 50), "per task, the handler's run time");
        t.row("handler latency p99", ms(r.taskLatency(), 99), "");
        t.row("order latency p50", ms(r.orderLatency(), 50), "per order, workflow started to its last step done (with retries)");
        t.row("order latency p99", ms(r.orderLatency(), 99), "");
        t.row("took", String.format(Locale.ROOT, "%.1f s", r.took().toMillis() / 1000.0), r.temporary() ? "store: a temporary SQLite file, deleted" : "store: " + r.brokerUrl());
        out.println();
        t.printWithoutHeader(out);
        out.println();
        if (r.problems().isEmpty()) {
            out.println("No order was charged twice, and the poison order is in the dead set"
                    + (r.temporary() ? "." : ": ferry task " + r.deadTasks().get(0).id() + " --broker " + r.brokerUrl()));
        }
        out.flush();
    }

    private static String deadNote(List<TaskInfo> deadTasks) {
        if (deadTasks.isEmpty()) {
            return "none";
        }
        TaskInfo t = deadTasks.get(0);
        TaskError e = t.lastError();
        String why = e == null ? Json.lower(t.deadReason()) : TasksCommand.shortType(e.errorType()) + ": " + e.message();
        return t.id() + " after " + t.attempt() + " attempts: " + Table.clip(why, 90)
                + (deadTasks.size() > 1 ? " (and " + (deadTasks.size() - 1) + " more)" : "");
    }

    private static String ms(Histogram h, double percentile) {
        if (h.getTotalCount() == 0) {
            return "-";
        }
        double ms = h.getValueAtPercentile(percentile) / 1000.0;
        return ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
