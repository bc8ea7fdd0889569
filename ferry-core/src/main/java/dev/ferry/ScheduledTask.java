package dev.ferry;

import java.time.Instant;

/**
 * One registered schedule of a {@link CronScheduler}, with what this scheduler instance has done
 * with it so far. The counters are this instance's own (they start at zero in every process and
 * count only rounds in which it was the leader).
 *
 * @param name          the schedule's name; its tasks' ids are {@code cron.<name>.<tick epoch millis>}
 * @param schedule      when it fires
 * @param task          the task each tick enqueues (without the id and run-at the scheduler sets)
 * @param misfire       what happens to ticks seen late
 * @param overlap       whether a tick fires while the previous run is unfinished
 * @param nextFireTime  the first tick strictly after now (the scheduler's clock); null only past the
 *                      end of representable time
 * @param lastTick      the latest tick this instance fired or found already fired, or null
 * @param fired         ticks this instance enqueued (task created)
 * @param alreadyFired  ticks this instance found already enqueued, by an earlier leader (duplicate id)
 * @param skipped       ticks this instance decided not to fire because the previous run was still
 *                      unfinished ({@link OverlapPolicy#SKIP_IF_RUNNING}) or the task's unique key was
 *                      held; ticks dropped by the misfire policy are not counted
 */
public record ScheduledTask(
        String name,
        Schedule schedule,
        Task task,
        MisfirePolicy misfire,
        OverlapPolicy overlap,
        Instant nextFireTime,
        Instant lastTick,
        long fired,
        long alreadyFired,
        long skipped) {
}
