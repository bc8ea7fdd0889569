package dev.ferry;

/**
 * Runs one task. Outcomes are a closed set:
 * <ul>
 *   <li>return: success; a non-null return value is stored as the task's JSON result;</li>
 *   <li>throw {@link TaskOutcome#retryAfter}: retry after exactly that delay (still bounded by max attempts);</li>
 *   <li>throw {@link TaskOutcome#fail}: fail without retry, straight to the dead set;</li>
 *   <li>throw {@link TaskOutcome#snooze}: run again later without counting the attempt;</li>
 *   <li>any other exception: a retryable failure, retried with the {@link RetryPolicy}.</li>
 * </ul>
 * Handlers run on virtual threads and may block. An interrupt means stop: the task timed out,
 * was cancelled, lost its lease or the worker is shutting down.
 *
 * @param <P> the payload type, usually a record
 */
@FunctionalInterface
public interface Handler<P> {
    Object handle(P payload, TaskContext context) throws Exception;
}
