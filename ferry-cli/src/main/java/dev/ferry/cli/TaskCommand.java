package dev.ferry.cli;

import dev.ferry.Explanation;
import dev.ferry.Ferry;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry task ID}: everything stored about one task, errors with their stack traces. */
@Command(name = "task", description = "Show one task: every field, the payload pretty-printed, errors with stack traces; --why says why it is not running.")
final class TaskCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The task id.")
    String id;

    @Option(names = "--json", description = "Print the task as JSON.")
    boolean json;

    @Option(names = "--why", description = "Say why the task is not running (or where it runs): delayed, retry wait, rate or concurrency limit, paused queue, no worker, workflow parents ...")
    boolean why;

    @Override
    int run() {
        if (why) {
            Explanation e;
            try (Ferry ferry = openFerry()) {
                e = ferry.inspector().explain(id);
            }
            if (json) {
                var m = Json.object();
                m.put("id", e.taskId());
                m.put("state", Json.lower(e.state()));
                m.put("reason", Json.lower(e.reason()));
                m.put("message", e.message());
                m.put("until", e.until() == null ? null : e.until().toString());
                out().println(Json.pretty(m));
            } else {
                out().println(Json.lower(e.reason()) + ": " + e.message());
            }
            return e.reason() == Explanation.Reason.NOT_FOUND ? FerryCli.EXIT_FAILURE : FerryCli.EXIT_OK;
        }
        TaskInfo t;
        try (Ferry ferry = openFerry()) {
            t = ferry.inspector().task(id).orElseThrow(() -> AdminCommands.notFound(id));
        }
        if (json) {
            out().println(Json.pretty(Json.task(t)));
            return FerryCli.EXIT_OK;
        }
        PrintWriter out = out();
        Table fields = new Table("FIELD", "VALUE");
        fields.row("id", t.id());
        fields.row("queue", t.queue());
        fields.row("type", t.type());
        fields.row("state", Json.lower(t.state()) + (t.deadReason() != null ? " (" + Json.lower(t.deadReason()) + ")" : "")
                + (t.cancelRequested() ? " (cancel requested)" : ""));
        fields.row("priority", t.priority());
        fields.row("attempt", t.attempt() + " of " + t.maxAttempts());
        fields.row("timeout", Durations.format(t.timeout()));
        fields.row("enqueued at", Instants.show(t.enqueuedAt()));
        fields.row("run at", Instants.show(t.runAt()));
        fields.row("started at", Instants.show(t.startedAt()));
        fields.row("finished at", Instants.show(t.finishedAt()));
        fields.row("expires at", Instants.show(t.expiresAt()));
        fields.row("lease expires at", Instants.show(t.leaseExpiresAt()));
        fields.row("worker", t.workerId());
        fields.row("unique key", t.uniqueKey());
        fields.row("lease expirations", t.leaseExpirations());
        fields.row("retention", Durations.format(t.retention()) + " (dead: " + Durations.format(t.deadRetention()) + ")");
        for (Map.Entry<String, String> h : new TreeMap<>(t.headers()).entrySet()) {
            fields.row("header " + h.getKey(), h.getValue());
        }
        fields.printWithoutHeader(out);
        section(out, "payload", Json.prettyText(t.payloadJson()));
        if (t.progressJson() != null) {
            section(out, "progress", Json.prettyText(t.progressJson()));
        }
        if (t.resultJson() != null) {
            section(out, "result", Json.prettyText(t.resultJson()));
        }
        if (!t.errors().isEmpty()) {
            out.println();
            out.println("errors (" + t.errors().size() + ", oldest first):");
            for (TaskError e : t.errors()) {
                out.println("  attempt " + e.attempt() + " at " + Instants.show(e.at()) + ": " + e.errorType()
                        + (e.message().isEmpty() ? "" : ": " + e.message()));
                if (!e.stackTrace().isBlank()) {
                    e.stackTrace().lines().forEach(l -> out.println("      " + l));
                }
            }
        }
        return FerryCli.EXIT_OK;
    }

    private static void section(PrintWriter out, String title, String body) {
        out.println();
        out.println(title + ":");
        body.lines().forEach(l -> out.println("  " + l));
    }
}
