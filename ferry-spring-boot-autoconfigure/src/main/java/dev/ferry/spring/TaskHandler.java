package dev.ferry.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as the handler of a task type. The Ferry auto-configuration finds these
 * methods on every bean and registers them on the application's worker.
 *
 * <pre>{@code
 * @Component
 * class Payments {
 *     @TaskHandler("order.charge")
 *     PaymentReceipt charge(ChargeOrder order, TaskContext ctx) throws Exception {
 *         return ctx.idempotent("charge:" + order.orderId(), PaymentReceipt.class, () -> gateway.charge(order));
 *     }
 * }
 * }</pre>
 *
 * <p>The method takes the payload (usually a record, decoded from the task's JSON) and optionally a
 * second {@link dev.ferry.TaskContext} parameter. Its return value is stored as the task's result
 * ({@code void} stores none). Outcomes are Ferry's closed set: return for success, throw
 * {@link dev.ferry.TaskOutcome#fail}, {@code retryAfter} or {@code snooze} for those outcomes, any
 * other exception for a retryable failure. The method is called through the bean, so
 * {@code @Transactional} and other proxies apply.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TaskHandler {

    /**
     * The task type, for example {@code order.charge}. {@code ${...}} placeholders are resolved.
     * One handler per type in an application.
     */
    String value();
}
