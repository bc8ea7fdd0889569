package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spi.TaskPage;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ferry tasks --state S [--queue Q]}: one page of tasks in a state. */
@Command(name = "tasks", description = "List the tasks in one state, of one queue or of all.")
final class TasksCommand extends BaseCommand {
    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only this queue (default: all queues).")
    String queue;

    @Option(names = "--state", paramLabel = "STATE", required = true,
            description = "scheduled, pending, active, retrying, waiting, completed, dead or cancelled.")
    String state;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Tasks per page, 1 to 1000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "Tasks to skip (default ${DEFAULT-VALUE}).")
    int offset;

    @Option(names = "--json", description = "Print JSON: {\"tasks\":[...], \"hasMore\":...}.")
    boolean json;

    @Override
    int run() {
        TaskState s = TaskState.parse(state);
        TaskPage page;
        try (Ferry ferry = openFerry()) {
            page = ferry.inspector().tasks(queue, s, offset, limit);
        }
        if (json) {
            ObjectNode doc = Json.object();
            ArrayNode arr = doc.putArray("tasks");
            page.tasks().forEach(t -> arr.add(Json.task(t)));
            doc.put("hasMore", page.hasMore());
            out().println(Json.pretty(doc));
            return FerryCli.EXIT_OK;
        }
        if (page.tasks().isEmpty()) {
            out().println("no " + Json.lower(s) + " tasks" + (queue != null ? " in queue " + queue : "")
                    + (offset > 0 ? " at offset " + offset : ""));
            return FerryCli.EXIT_OK;
        }
        Table t = new Table("ID", "QUEUE", "TYPE", "STATE", ">PRI", ">ATTEMPT", whenHeader(s), "LAST ERROR");
        for (TaskInfo task : page.tasks()) {
            TaskError last = task.lastError();
            t.row(task.id(), task.queue(), task.type(), Json.lower(task.state()), task.priority(),
                    task.attempt() + "/" + task.maxAttempts(), Instants.show(when(task)),
                    last == null ? null : Table.clip(shortType(last.errorType()) + ": " + last.message(), 70));
        }
        t.print(out());
        if (page.hasMore()) {
            out().println("(more: --offset " + (offset + page.tasks().size()) + ")");
        }
        return FerryCli.EXIT_OK;
    }

    private static String whenHeader(TaskState s) {
        return switch (s) {
            case SCHEDULED, RETRYING -> "RUN AT";
            case PENDING, WAITING -> "ENQUEUED";
            case ACTIVE -> "STARTED";
            default -> "FINISHED";
        };
    }

    /** The time that matters for the state: when it runs, when it came, when it started or ended. */
    private static Instant when(TaskInfo t) {
        return switch (t.state()) {
            case SCHEDULED, RETRYING -> t.runAt();
            case PENDING, WAITING -> t.enqueuedAt();
            case ACTIVE -> t.startedAt();
            default -> t.finishedAt();
        };
    }

    /** {@code java.lang.IllegalStateException} reads as {@code IllegalStateException} in a table, a nested class by its own name. */
    static String shortType(String errorType) {
        int dot = Math.max(errorType.lastIndexOf('.'), errorType.lastIndexOf('$'));
        return dot < 0 ? errorType : errorType.substring(dot + 1);
    }
}
