package dev.ferry;

/**
 * Whether a {@link CronScheduler} fires a tick while the task of the schedule's previous tick has not
 * finished yet.
 */
public enum OverlapPolicy {
    /** Fire every tick; runs of the same schedule may overlap when workers are free. The default. */
    ALLOW,
    /**
     * Skip a tick (and count it in {@link ScheduledTask#skipped()}) while the task of the previous
     * fired tick is still {@code SCHEDULED}, {@code PENDING}, {@code ACTIVE}, {@code RETRYING} or
     * {@code WAITING}. A skipped tick is not fired later by this scheduler.
     */
    SKIP_IF_RUNNING
}
