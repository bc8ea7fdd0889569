package dev.ferry;

import java.time.Instant;

/**
 * A cron schedule kept in the backend ({@link CronSchedules}), as {@code ferry cron list} shows it.
 *
 * @param name         the schedule's name
 * @param spec         the schedule as written: a cron expression or {@code every 5m}
 * @param zone         the time zone of a cron expression (UTC when none was given)
 * @param schedule     the parsed schedule
 * @param task         the task each tick enqueues (its payload as {@link RawJson})
 * @param misfire      what to do with ticks missed while no scheduler ran
 * @param overlap      whether a tick may fire while the previous run is unfinished
 * @param source       {@code "store"} for schedules added with {@link CronSchedules#add} or the CLI
 *                     (every scheduler fires them), {@code "code"} for schedules an application
 *                     registered on its {@link CronScheduler} (listed here for visibility only)
 * @param nextFireTime the next tick after now, or null if it never fires again
 * @param updatedAt    when the record was last written (backend time)
 */
public record StoredSchedule(String name, String spec, String zone, Schedule schedule, Task task, MisfirePolicy misfire,
                             OverlapPolicy overlap, String source, Instant nextFireTime, Instant updatedAt) {
}
