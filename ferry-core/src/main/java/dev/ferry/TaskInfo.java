package dev.ferry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything stored about one task, as the {@link Inspector} shows it.
 *
 * @param id               stable task id (caller-chosen or generated)
 * @param queue            the queue it lives in
 * @param type             the task type, a stable string that selects the handler
 * @param payloadJson      the payload as JSON text
 * @param priority         0 (most urgent) to 100; lower runs first within a queue
 * @param state            where it is in its lifecycle
 * @param attempt          attempts started so far (a claim counts; a graceful release or a snooze does not)
 * @param maxAttempts      attempts allowed before it goes dead
 * @param timeout          how long one attempt may run before it is interrupted
 * @param runAt            when it becomes (or became) eligible to run
 * @param enqueuedAt       when it was accepted
 * @param startedAt        when the current or last attempt started, or null
 * @param finishedAt       when it reached a finished state, or null
 * @param expiresAt        when a finished task is pruned, or null
 * @param leaseExpiresAt   when the current lease expires, if active, else null
 * @param workerId         the worker holding or last holding it, or null
 * @param uniqueKey        its uniqueness key, or null
 * @param progressJson     last reported progress as JSON, or null
 * @param resultJson       the handler's result as JSON, or null
 * @param errors           failed attempts, oldest first (bounded to the last few)
 * @param leaseExpirations how many times a lease on it expired
 * @param cancelRequested  true when cancel was asked while it was running
 * @param deadReason       why it is dead, or null
 * @param headers          propagated context (for example trace context)
 * @param retention        how long it is kept once completed or cancelled
 * @param deadRetention    how long it is kept once dead
 */
public record TaskInfo(
        String id,
        String queue,
        String type,
        String payloadJson,
        int priority,
        TaskState state,
        int attempt,
        int maxAttempts,
        Duration timeout,
        Instant runAt,
        Instant enqueuedAt,
        Instant startedAt,
        Instant finishedAt,
        Instant expiresAt,
        Instant leaseExpiresAt,
        String workerId,
        String uniqueKey,
        String progressJson,
        String resultJson,
        List<TaskError> errors,
        int leaseExpirations,
        boolean cancelRequested,
        DeadReason deadReason,
        Map<String, String> headers,
        Duration retention,
        Duration deadRetention) {

    public TaskInfo {
        errors = errors == null ? List.of() : List.copyOf(errors);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** The most recent error, or null when no attempt failed. */
    public TaskError lastError() {
        return errors.isEmpty() ? null : errors.get(errors.size() - 1);
    }
}
