package dev.ferry.spi;

import dev.ferry.TaskState;
import java.util.Set;

/** Administrative changes, each atomic. The result counts the tasks (or queues) affected. */
public sealed interface AdminCommand {

    /** Run a dead, retrying, scheduled or cancelled task now: back to pending, attempts reset to 0. */
    record Retry(String taskId) implements AdminCommand {
    }

    /** Cancel a task: queued ones become cancelled at once; a running one gets a cancel request. */
    record Cancel(String taskId) implements AdminCommand {
    }

    /** Delete a task that is not active. */
    record Delete(String taskId) implements AdminCommand {
    }

    /** Delete every task of a queue in the given states (never active ones). */
    record Purge(String queue, Set<TaskState> states) implements AdminCommand {
        public Purge {
            states = Set.copyOf(states);
        }
    }

    /** Replay the dead set: every dead task (of one queue, or all when queue is null) back to pending. */
    record ReplayDead(String queue) implements AdminCommand {
    }

    /** Stop claims from a queue; tasks already running finish. */
    record Pause(String queue) implements AdminCommand {
    }

    /** Let claims from a queue resume. */
    record Resume(String queue) implements AdminCommand {
    }
}
