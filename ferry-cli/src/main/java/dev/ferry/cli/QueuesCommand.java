package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.QueueStats;
import dev.ferry.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ferry queues}: one row per known queue with its counts by state and its totals. */
@Command(name = "queues", description = "Show every queue: tasks by state, totals, paused, oldest pending age.")
final class QueuesCommand extends BaseCommand {
    @Option(names = "--json", description = "Print JSON: {\"queues\":[{\"queue\":..., \"pending\":..., ...}]}.")
    boolean json;

    @Override
    int run() {
        List<QueueStats> queues;
        try (Ferry ferry = openFerry()) {
            queues = ferry.inspector().queues();
        }
        Instant now = Instant.now();
        if (json) {
            ObjectNode doc = Json.object();
            ArrayNode arr = doc.putArray("queues");
            queues.forEach(q -> arr.add(Json.queue(q, now)));
            out().println(Json.pretty(doc));
            return FerryCli.EXIT_OK;
        }
        if (queues.isEmpty()) {
            out().println("no queues yet (a queue appears once a task is enqueued to it)");
            return FerryCli.EXIT_OK;
        }
        Table t = new Table("QUEUE", ">PENDING", ">SCHEDULED", ">ACTIVE", ">RETRYING", ">DEAD", ">COMPLETED", ">CANCELLED",
                "PAUSED", ">PROCESSED", ">FAILED", ">OLDEST PENDING");
        for (QueueStats q : queues) {
            t.row(q.queue(), q.count(TaskState.PENDING), q.count(TaskState.SCHEDULED), q.count(TaskState.ACTIVE),
                    q.count(TaskState.RETRYING), q.count(TaskState.DEAD), q.count(TaskState.COMPLETED),
                    q.count(TaskState.CANCELLED), q.paused() ? "yes" : "no", q.processedTotal(), q.failedTotal(),
                    q.oldestPendingAt() == null ? "-" : Durations.format(max0(Duration.between(q.oldestPendingAt(), now))));
        }
        t.print(out());
        return FerryCli.EXIT_OK;
    }

    private static Duration max0(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
