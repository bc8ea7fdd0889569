package dev.ferry;

import dev.ferry.spi.TaskPage;
import java.util.List;
import java.util.Optional;

/**
 * Looks at queues and tasks and administers them. Thread-safe; get one from {@link Ferry#inspector()}.
 */
public interface Inspector {

    /** Stats of every known queue, sorted by name. */
    List<QueueStats> queues();

    /** Stats of one queue (all zero when it is unknown). */
    QueueStats queue(String queue);

    /** A page of tasks in one state, of one queue or of all ({@code queue == null}). */
    TaskPage tasks(String queue, TaskState state, int offset, int limit);

    /** One task with its attempts, errors, progress and result. */
    Optional<TaskInfo> task(String id);

    /** A completed task's result decoded into {@code type}; empty when there is none (yet). */
    <T> Optional<T> result(String id, Class<T> type);

    /** Runs a dead, retrying, scheduled or cancelled task again now. False when there is no such task. */
    boolean retry(String id);

    /** Cancels a queued task, or asks a running one to stop. False when it is finished or unknown. */
    boolean cancel(String id);

    /** Deletes a task that is not running. False when it is running or unknown. */
    boolean delete(String id);

    /** Deletes a queue's tasks in the given states (never running ones); returns how many. */
    long purge(String queue, TaskState... states);

    /** Sends every dead task back to pending; returns how many. */
    long replayDead();

    /** Sends the dead tasks of one queue back to pending; returns how many. */
    long replayDead(String queue);

    /** Stops workers from claiming from the queue. False when it was paused already. */
    boolean pause(String queue);

    /** Lets workers claim from the queue again. False when it was not paused. */
    boolean resume(String queue);

    /** Workers with a recent heartbeat. */
    List<WorkerInfo> workers();

    /**
     * A workflow's steps with their task ids, types, queues, dependencies and states, and its
     * result once completed; empty when unknown (or older than its 30-day records).
     */
    default Optional<dev.ferry.workflow.WorkflowInfo> workflow(String id) {
        throw new UnsupportedOperationException("this inspector does not show workflows");
    }

    /**
     * Cancels a workflow: no further step is released, queued steps are cancelled and running
     * ones asked to stop. False when the workflow is unknown.
     */
    default boolean cancelWorkflow(String id) {
        throw new UnsupportedOperationException("this inspector does not cancel workflows");
    }

    /**
     * Says why the task is not running (or that it runs, and where): delayed until T, waiting for
     * a retry at T, rate limited (which limit, when the next token comes), waiting for a
     * concurrency slot, waiting for workflow parents, its queue paused, no live worker polling
     * its queue, or running on worker W since T. Never throws for an unknown id: that is
     * {@link Explanation.Reason#NOT_FOUND}.
     *
     * @param id the task id
     * @return the explanation
     * @throws InvalidInputException for a malformed id
     */
    Explanation explain(String id);
}
