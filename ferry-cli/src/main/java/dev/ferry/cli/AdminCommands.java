package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.Inspector;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The administration commands: retry, cancel and delete a task, replay the dead set, pause,
 * resume and purge a queue. A task id that is not there is a failure (exit 1, {@code task X not
 * found}), like every operation that could not be done; a malformed id is bad input (exit 2).
 */
final class AdminCommands {
    private AdminCommands() {
    }

    static CliException notFound(String id) {
        return new CliException(FerryCli.EXIT_FAILURE, "task " + id + " not found");
    }

    /** After an operation said no: why, from the task's current state. */
    private static CliException refused(Inspector inspector, String id, String what) {
        Optional<TaskInfo> t = inspector.task(id);
        if (t.isEmpty()) {
            return notFound(id);
        }
        return new CliException(FerryCli.EXIT_FAILURE, "task " + id + " is " + Json.lower(t.get().state()) + ": " + what);
    }

    /** {@code ferry retry ID}. */
    @Command(name = "retry", description = "Run a dead, retrying, scheduled or cancelled task again now.")
    static final class Retry extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The task id.")
        String id;

        @Override
        int run() {
            try (Ferry ferry = openFerry()) {
                Inspector inspector = ferry.inspector();
                if (!inspector.retry(id)) {
                    throw refused(inspector, id, "only dead, retrying, scheduled or cancelled tasks can be retried");
                }
            }
            out().println("task " + id + " is pending again");
            return FerryCli.EXIT_OK;
        }
    }

    /** {@code ferry cancel ID}. */
    @Command(name = "cancel", description = "Cancel a queued task, or ask a running one to stop.")
    static final class Cancel extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The task id.")
        String id;

        @Override
        int run() {
            try (Ferry ferry = openFerry()) {
                Inspector inspector = ferry.inspector();
                if (!inspector.cancel(id)) {
                    throw refused(inspector, id, "finished tasks cannot be cancelled");
                }
                boolean running = inspector.task(id).map(t -> t.state() == TaskState.ACTIVE).orElse(false);
                out().println(running
                        ? "task " + id + " is running: asked its worker to stop it (it is cancelled at the worker's next lease renewal)"
                        : "task " + id + " cancelled");
            }
            return FerryCli.EXIT_OK;
        }
    }

    /** {@code ferry delete ID}. */
    @Command(name = "delete", description = "Delete a task that is not running.")
    static final class Delete extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The task id.")
        String id;

        @Override
        int run() {
            try (Ferry ferry = openFerry()) {
                Inspector inspector = ferry.inspector();
                if (!inspector.delete(id)) {
                    throw refused(inspector, id, "running tasks cannot be deleted; cancel it first");
                }
            }
            out().println("task " + id + " deleted");
            return FerryCli.EXIT_OK;
        }
    }

    /** {@code ferry dead ...}: the dead set. */
    @Command(name = "dead", description = "The dead set (tasks that failed for good).",
            subcommands = Dead.Replay.class)
    static final class Dead extends GroupCommand {
        /** {@code ferry dead replay [--queue Q]}. */
        @Command(name = "replay", description = "Send dead tasks back to pending (all, or one queue's).")
        static final class Replay extends BaseCommand {
            @Option(names = "--queue", paramLabel = "QUEUE", description = "Only this queue's dead tasks.")
            String queue;

            @Override
            int run() {
                long n;
                try (Ferry ferry = openFerry()) {
                    n = queue == null ? ferry.inspector().replayDead() : ferry.inspector().replayDead(queue);
                }
                out().println("replayed " + n + " dead task" + (n == 1 ? "" : "s") + (queue != null ? " of queue " + queue : ""));
                return FerryCli.EXIT_OK;
            }
        }
    }

    /** {@code ferry pause QUEUE}. */
    @Command(name = "pause", description = "Stop workers from claiming tasks of a queue (enqueue still works).")
    static final class Pause extends BaseCommand {
        @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
        String queue;

        @Override
        int run() {
            boolean changed;
            try (Ferry ferry = openFerry()) {
                changed = ferry.inspector().pause(queue);
            }
            out().println(changed ? "queue " + queue + " paused" : "queue " + queue + " was paused already");
            return FerryCli.EXIT_OK;
        }
    }

    /** {@code ferry resume QUEUE}. */
    @Command(name = "resume", description = "Let workers claim tasks of a paused queue again.")
    static final class Resume extends BaseCommand {
        @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
        String queue;

        @Override
        int run() {
            boolean changed;
            try (Ferry ferry = openFerry()) {
                changed = ferry.inspector().resume(queue);
            }
            out().println(changed ? "queue " + queue + " resumed" : "queue " + queue + " was not paused");
            return FerryCli.EXIT_OK;
        }
    }

    /** {@code ferry purge QUEUE --state S[,S]}. */
    @Command(name = "purge", description = "Delete a queue's tasks in the given states (never running ones).")
    static final class Purge extends BaseCommand {
        @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
        String queue;

        @Option(names = "--state", paramLabel = "STATE", split = ",", required = true,
                description = "States to delete, comma-separated: pending, scheduled, retrying, waiting, completed, dead, cancelled.")
        List<String> states;

        @Override
        int run() {
            TaskState[] parsed = states.stream().map(TaskState::parse).distinct().toArray(TaskState[]::new);
            long n;
            try (Ferry ferry = openFerry()) {
                n = ferry.inspector().purge(queue, parsed);
            }
            out().println("deleted " + n + " task" + (n == 1 ? "" : "s") + " of queue " + queue + " ("
                    + java.util.Arrays.stream(parsed).map(Json::lower).collect(Collectors.joining(", ")) + ")");
            return FerryCli.EXIT_OK;
        }
    }
}
