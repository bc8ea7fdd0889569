package dev.ferry;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts for one queue.
 *
 * @param queue           the queue name
 * @param counts          tasks per state (finished ones while retained); absent states count 0
 * @param paused          true when workers do not claim from it
 * @param processedTotal  attempts that completed successfully, ever
 * @param failedTotal     attempts that failed (retried or dead), ever
 * @param deadTotal       tasks that went dead, ever
 * @param poisonedTotal   of those, tasks that went dead because their lease expired too often
 * @param oldestPendingAt when the oldest pending task became ready, or null when none is pending
 */
public record QueueStats(
        String queue,
        Map<TaskState, Long> counts,
        boolean paused,
        long processedTotal,
        long failedTotal,
        long deadTotal,
        long poisonedTotal,
        Instant oldestPendingAt) {

    public QueueStats {
        EnumMap<TaskState, Long> full = new EnumMap<>(TaskState.class);
        for (TaskState s : TaskState.values()) {
            full.put(s, counts == null ? 0L : counts.getOrDefault(s, 0L));
        }
        counts = java.util.Collections.unmodifiableMap(full);
    }

    /** Tasks in the given state. */
    public long count(TaskState state) {
        return counts.get(state);
    }
}
