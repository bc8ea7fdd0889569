package dev.ferry;

import java.util.List;

/**
 * Handles an aggregated batch: the payloads of small tasks enqueued with the same
 * {@link Task#aggregate(String) group key}, gathered in the backend until there were enough or
 * the first had waited long enough ({@link WorkerBuilder#handleBatch}). asynq calls this task
 * aggregation; it turns a thousand "notify user 42" tasks into a few digest emails.
 *
 * @param <P> the type of one item's payload
 */
@FunctionalInterface
public interface BatchHandler<P> {

    /**
     * Handles the batch. The batch is one task: it succeeds, retries or dies as a whole, and
     * {@code context} describes it (its id, attempt; {@code context.headers()} holds
     * {@code ferry-group}, the group key, and {@code ferry-batch-size}).
     *
     * @param items   the items' payloads, oldest first
     * @param context the batch task's context
     * @return the batch's result, stored like any task result
     * @throws Exception to fail the attempt
     */
    Object handle(List<P> items, TaskContext context) throws Exception;
}
