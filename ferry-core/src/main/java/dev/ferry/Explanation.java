package dev.ferry;

import java.time.Instant;

/**
 * Why a task is, or is not, running right now: the answer of {@link Inspector#explain(String)}.
 *
 * @param taskId  the task asked about
 * @param state   its state, or null when there is no such task
 * @param reason  the reason, as a code a program can act on
 * @param message one sentence for a person, naming the queue, limit, worker or time involved
 * @param until   when the wait ends, if it is known (a delay, a retry, the next rate-limit token)
 */
public record Explanation(String taskId, TaskState state, Reason reason, String message, Instant until) {

    /** Why a task is where it is. */
    public enum Reason {
        /** No such task: never enqueued, or pruned after its retention. */
        NOT_FOUND,
        /** Enqueued with a delay or a run-at time still ahead. */
        DELAYED,
        /** An attempt failed; the next one is due at {@code until}. */
        WAITING_FOR_RETRY,
        /** A rate limit held it; it waits for the next token at {@code until}. */
        RATE_LIMITED,
        /** A concurrency limit (or per-key mutex) held it; it tries again at {@code until}. */
        CONCURRENCY_LIMITED,
        /** A workflow step whose parents have not all finished. */
        WAITING_FOR_PARENTS,
        /** An item to aggregate, waiting in the backend to be gathered into a batch. */
        AGGREGATING,
        /** Ready, but its queue is paused. */
        QUEUE_PAUSED,
        /** Ready, but no live worker has polled its queue recently. */
        NO_WORKER,
        /** Ready; live workers serve its queue and will take it in claim order. */
        READY,
        /** A worker runs it now. */
        RUNNING,
        /** Active, but its worker stopped sending heartbeats; recovery takes it back when the lease ends. */
        WORKER_SILENT,
        /** It finished: completed, dead or cancelled. */
        FINISHED
    }
}
