package dev.ferry;

/**
 * What a {@link CronScheduler} does with ticks it saw late: after every scheduler was down, or the
 * backend was unreachable, for longer than the misfire grace
 * ({@link CronScheduler.Builder#misfireGrace}). A tick seen within the grace is on time and always
 * fires, whatever the policy; the policy only decides about the ticks older than that.
 *
 * <p>Whatever the policy, no tick fires twice: each tick has one task id (see
 * {@link CronScheduler#taskId}). The full rules are in {@code docs/scheduling.md}.
 */
public enum MisfirePolicy {
    /** Missed ticks are dropped; the schedule goes on with the next tick. For "only if fresh" work. */
    SKIP,
    /**
     * The missed ticks collapse into one run: the latest missed tick fires (late, with its own
     * {@code runAt}), the older ones are dropped. For work where one catch-up run is enough, such as a
     * report or a cache refresh. The default.
     */
    FIRE_ONCE,
    /**
     * Every missed tick fires, oldest first, but at most {@link CronScheduler.Builder#catchUpLimit}
     * of them per schedule (the latest ones): for work where each tick counts, such as per-hour
     * billing.
     */
    FIRE_ALL
}
