package dev.ferry.spring;

import dev.ferry.CronScheduler;

/**
 * A bean that adjusts the application's cron scheduler before it starts, for example to register
 * schedules in code. With at least one customizer or {@link CronTask} method, the scheduler starts.
 */
@FunctionalInterface
public interface FerrySchedulerCustomizer {

    /** Adjusts the builder; do not call {@code start()} or {@code build()} on it. */
    void customize(CronScheduler.Builder builder);
}
