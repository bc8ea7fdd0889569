package dev.ferry.spring;

import dev.ferry.MisfirePolicy;
import dev.ferry.OverlapPolicy;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a bean method on a schedule, once per tick across every instance of the application that
 * shares the backend (the schedulers elect a leader; see {@code docs/scheduling.md}).
 *
 * <pre>{@code
 * @CronTask(name = "daily-report", cron = "0 9 * * *", zone = "Europe/Berlin")
 * void dailyReport(TaskContext ctx) { ... }
 * }</pre>
 *
 * <p>Each tick enqueues a task of type {@link #type()} (default {@code cron.<name>}) with an empty
 * JSON object as payload; a worker runs it by calling this method, so a tick gets Ferry's retries,
 * timeouts and dead set like any task. The method takes no parameter or one
 * {@link dev.ferry.TaskContext}; its return value is the task's result.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CronTask {

    /** The schedule's name, unique per backend: letters, digits and {@code . _ : -}. */
    String name();

    /**
     * When it fires: a cron expression ({@code 0 9 * * *}, macros such as {@code @daily}) or a
     * fixed rate ({@code every 5m}). {@code ${...}} placeholders are resolved.
     */
    String cron();

    /** The time zone the cron expression is read in (default UTC). */
    String zone() default "UTC";

    /** The queue of the fired tasks (default: {@code ferry.defaults.queue}). */
    String queue() default "";

    /** The task type of the fired tasks (default {@code cron.<name>}). */
    String type() default "";

    /** What happens to ticks seen late, for example after downtime. */
    MisfirePolicy misfire() default MisfirePolicy.FIRE_ONCE;

    /** Whether a tick fires while the previous run is unfinished. */
    OverlapPolicy overlap() default OverlapPolicy.ALLOW;
}
