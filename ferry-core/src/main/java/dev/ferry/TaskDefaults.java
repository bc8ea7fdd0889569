package dev.ferry;

import java.time.Duration;

/**
 * The options a task gets when it does not set them itself.
 *
 * @param queue           queue name ({@code default})
 * @param priority        0..100, lower first (50)
 * @param maxAttempts     attempts before a task goes dead (3)
 * @param timeout         per-attempt timeout (30 minutes)
 * @param retention       how long completed and cancelled tasks and their results are kept (24 hours)
 * @param deadRetention   how long dead tasks are kept (7 days)
 * @param maxPayloadBytes the largest payload accepted, in UTF-8 bytes (1 MiB)
 */
public record TaskDefaults(
        String queue,
        int priority,
        int maxAttempts,
        Duration timeout,
        Duration retention,
        Duration deadRetention,
        int maxPayloadBytes) {

    /** The lowest priority number (most urgent). */
    public static final int MIN_PRIORITY = 0;
    /** The highest priority number (least urgent). */
    public static final int MAX_PRIORITY = 100;

    public TaskDefaults {
        dev.ferry.internal.Validation.queue("defaults.queue", queue);
        dev.ferry.internal.Validation.priority("defaults.priority", priority);
        dev.ferry.internal.Validation.maxAttempts("defaults.maxAttempts", maxAttempts);
        dev.ferry.internal.Validation.positive("defaults.timeout", timeout);
        dev.ferry.internal.Validation.nonNegative("defaults.retention", retention);
        dev.ferry.internal.Validation.nonNegative("defaults.deadRetention", deadRetention);
        if (maxPayloadBytes < 1) {
            throw new InvalidInputException("defaults.maxPayloadBytes", "must be at least 1, was " + maxPayloadBytes);
        }
    }

    /** The defaults listed above. */
    public static TaskDefaults standard() {
        return new TaskDefaults("default", 50, 3, Duration.ofMinutes(30), Duration.ofHours(24), Duration.ofDays(7), 1 << 20);
    }

    public TaskDefaults withQueue(String queue) {
        return new TaskDefaults(queue, priority, maxAttempts, timeout, retention, deadRetention, maxPayloadBytes);
    }

    public TaskDefaults withMaxAttempts(int maxAttempts) {
        return new TaskDefaults(queue, priority, maxAttempts, timeout, retention, deadRetention, maxPayloadBytes);
    }

    public TaskDefaults withTimeout(Duration timeout) {
        return new TaskDefaults(queue, priority, maxAttempts, timeout, retention, deadRetention, maxPayloadBytes);
    }

    public TaskDefaults withRetention(Duration retention, Duration deadRetention) {
        return new TaskDefaults(queue, priority, maxAttempts, timeout, retention, deadRetention, maxPayloadBytes);
    }

    public TaskDefaults withMaxPayloadBytes(int maxPayloadBytes) {
        return new TaskDefaults(queue, priority, maxAttempts, timeout, retention, deadRetention, maxPayloadBytes);
    }
}
