package dev.ferry;

import java.time.Instant;

/**
 * One failed attempt as stored with the task.
 *
 * @param attempt    the attempt number that failed (1-based)
 * @param errorType  the exception's class name, or a short tag such as {@code lease-expired}
 * @param message    the error message (may be empty, never null)
 * @param stackTrace the stack trace as text, truncated to a bounded size (may be empty)
 * @param at         when the failure was recorded
 */
public record TaskError(int attempt, String errorType, String message, String stackTrace, Instant at) {
    /** Stack traces are cut to this many characters so a deep trace cannot bloat the store. */
    public static final int MAX_STACK_TRACE_CHARS = 8_192;

    public TaskError {
        errorType = errorType == null ? "" : errorType;
        message = message == null ? "" : message;
        stackTrace = stackTrace == null ? "" : stackTrace;
        if (stackTrace.length() > MAX_STACK_TRACE_CHARS) {
            stackTrace = stackTrace.substring(0, MAX_STACK_TRACE_CHARS) + "\n\t... (truncated)";
        }
    }
}
