package dev.ferry;

import java.time.Duration;

/**
 * Something that happened to a task in a worker, for logging, metrics and tracing listeners.
 *
 * @param kind    what happened
 * @param taskId  the task
 * @param type    its type
 * @param queue   its queue
 * @param attempt the attempt number
 * @param took    how long the handler ran (zero for STARTED)
 * @param error   the failure, for RETRYING and DEAD; null otherwise
 */
public record TaskEvent(Kind kind, String taskId, String type, String queue, int attempt, Duration took, Throwable error) {

    /** The kinds of events. */
    public enum Kind {
        STARTED, SUCCEEDED, RETRYING, SNOOZED, DEAD, CANCELLED, TIMED_OUT, LEASE_LOST, RELEASED,
        /** Not started: a flow-control {@link Limit} held it, and it waits in the backend. */
        LIMITED
    }
}
