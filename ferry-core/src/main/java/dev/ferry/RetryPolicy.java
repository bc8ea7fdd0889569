package dev.ferry;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;

/**
 * When a failed attempt runs again. The default is {@link #exponential()}: 1 s, 2 s, 4 s, ...
 * capped at 1 hour, plus up to 10 % random jitter so failures of many tasks at once do not retry
 * in lockstep (the thundering herd). Set one per worker, per task type, or per task
 * ({@link Task#retry(Exponential)}); the most specific wins.
 */
public interface RetryPolicy {

    /**
     * The delay before the next attempt.
     *
     * @param failedAttempt the attempt that just failed, 1-based
     * @param error         what it threw
     */
    Duration delay(int failedAttempt, Throwable error);

    /** False for errors that must not be retried (the task goes dead at once). */
    default boolean isRetryable(Throwable error) {
        return true;
    }

    /** This policy, but errors of the given types (or subtypes) are not retried. */
    @SuppressWarnings("unchecked")
    default RetryPolicy nonRetryable(Class<? extends Throwable>... types) {
        List<Class<? extends Throwable>> list = List.of(types);
        RetryPolicy self = this;
        return new RetryPolicy() {
            @Override
            public Duration delay(int failedAttempt, Throwable error) {
                return self.delay(failedAttempt, error);
            }

            @Override
            public boolean isRetryable(Throwable error) {
                return self.isRetryable(error) && list.stream().noneMatch(t -> t.isInstance(error));
            }
        };
    }

    /** Exponential backoff: 1 s base, factor 2, capped at 1 h, 10 % jitter. */
    static Exponential exponential() {
        return new Exponential(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.1);
    }

    /** Exponential backoff with the given shape. */
    static Exponential exponential(Duration base, double factor, Duration cap, double jitter) {
        return new Exponential(base, factor, cap, jitter);
    }

    /** The same delay after every failure. */
    static RetryPolicy fixed(Duration delay) {
        return new Exponential(delay, 1.0, delay, 0.0);
    }

    /** A custom function of (failed attempt, error). */
    static RetryPolicy of(BiFunction<Integer, Throwable, Duration> delay) {
        Objects.requireNonNull(delay, "delay");
        return delay::apply;
    }

    /**
     * {@code base * factor^(attempt-1)}, capped, plus a random share of up to {@code jitter} of it.
     * A record, so it can travel with a single task as data.
     */
    record Exponential(Duration base, double factor, Duration cap, double jitter) implements RetryPolicy {
        public Exponential {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(cap, "cap");
            if (base.isNegative()) {
                throw new InvalidInputException("retry.base", "must not be negative, was " + base);
            }
            if (!(factor >= 1.0) || Double.isInfinite(factor)) {
                throw new InvalidInputException("retry.factor", "must be a finite number >= 1, was " + factor);
            }
            if (cap.compareTo(base) < 0) {
                throw new InvalidInputException("retry.cap", "must be at least the base " + base + ", was " + cap);
            }
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new InvalidInputException("retry.jitter", "must be between 0 and 1, was " + jitter);
            }
        }

        @Override
        public Duration delay(int failedAttempt, Throwable error) {
            double millis = base.toMillis() * Math.pow(factor, Math.max(0, failedAttempt - 1));
            millis = Math.min(millis, cap.toMillis());
            if (jitter > 0) {
                millis += ThreadLocalRandom.current().nextDouble(0, jitter) * millis;
            }
            return Duration.ofMillis(Math.round(millis));
        }

        /** A compact text form, for carrying the policy inside a task. */
        public String toText() {
            return base.toMillis() + "," + factor + "," + cap.toMillis() + "," + jitter;
        }

        /** Parses {@link #toText()}. */
        public static Exponential fromText(String text) {
            String[] p = text.split(",");
            if (p.length != 4) {
                throw new InvalidInputException("retry", "expected 'baseMillis,factor,capMillis,jitter', was '" + text + "'");
            }
            try {
                return new Exponential(Duration.ofMillis(Long.parseLong(p[0])), Double.parseDouble(p[1]),
                        Duration.ofMillis(Long.parseLong(p[2])), Double.parseDouble(p[3]));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("retry", "not a number in '" + text + "'");
            }
        }
    }
}
