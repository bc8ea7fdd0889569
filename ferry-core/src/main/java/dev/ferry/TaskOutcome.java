package dev.ferry;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a {@link Handler} to end an attempt in a way other than success or an ordinary,
 * retryable failure. Create them with the static factories.
 */
public abstract sealed class TaskOutcome extends RuntimeException
        permits TaskOutcome.RetryAfter, TaskOutcome.Fail, TaskOutcome.Snooze {

    private TaskOutcome(String message, Throwable cause) {
        super(message, cause, false, cause != null);
    }

    /** Retry after exactly {@code delay} (a failed attempt; dead when no attempts are left). */
    public static RetryAfter retryAfter(Duration delay, String reason) {
        return new RetryAfter(delay, reason);
    }

    /** Fail without retry: the task goes to the dead set with this reason. */
    public static Fail fail(String reason) {
        return new Fail(reason, null);
    }

    /** Fail without retry, keeping the cause's stack trace. */
    public static Fail fail(String reason, Throwable cause) {
        return new Fail(reason, cause);
    }

    /** Not now: run again after {@code delay}; the attempt is not counted. */
    public static Snooze snooze(Duration delay) {
        return new Snooze(delay);
    }

    /** A failed attempt to retry after a fixed delay. */
    public static final class RetryAfter extends TaskOutcome {
        private final Duration delay;

        private RetryAfter(Duration delay, String reason) {
            super(reason, null);
            this.delay = requireNonNegative(delay);
        }

        public Duration delay() {
            return delay;
        }
    }

    /** A failure that must not be retried. */
    public static final class Fail extends TaskOutcome {
        private Fail(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** Postpone without counting an attempt. */
    public static final class Snooze extends TaskOutcome {
        private final Duration delay;

        private Snooze(Duration delay) {
            super("snoozed for " + delay, null);
            this.delay = requireNonNegative(delay);
        }

        public Duration delay() {
            return delay;
        }
    }

    private static Duration requireNonNegative(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new InvalidInputException("delay", "must not be negative, was " + delay);
        }
        return delay;
    }
}
