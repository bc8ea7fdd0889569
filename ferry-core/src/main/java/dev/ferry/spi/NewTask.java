package dev.ferry.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One task to store, already validated and encoded by the core. Brokers store it as given.
 *
 * @param id            the task id (always set by the core: caller-chosen or generated)
 * @param queue         queue name
 * @param type          task type
 * @param payloadJson   payload as JSON text
 * @param priority      0..100, lower first
 * @param delay         run after broker-now + delay; {@link Duration#ZERO} for now (ignored when runAt is set)
 * @param runAt         absolute run-at, or null to use delay
 * @param maxAttempts   attempts allowed (at least 1)
 * @param timeout       per-attempt timeout
 * @param uniqueKey     uniqueness key or null
 * @param uniqueFor     how long the unique key is held at most (null when uniqueKey is null)
 * @param retention     how long to keep the task once completed or cancelled
 * @param deadRetention how long to keep the task once dead
 * @param headers       context carried to the worker; {@link #tenant()} is read from them
 */
public record NewTask(
        String id,
        String queue,
        String type,
        String payloadJson,
        int priority,
        Duration delay,
        Instant runAt,
        int maxAttempts,
        Duration timeout,
        String uniqueKey,
        Duration uniqueFor,
        Duration retention,
        Duration deadRetention,
        Map<String, String> headers) {

    public NewTask {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        delay = delay == null ? Duration.ZERO : delay;
    }

    /**
     * The task's tenant for fair claim order ({@code docs/spi.md}, "Fair claim order"), carried in
     * the {@link dev.ferry.Task#TENANT_HEADER} header.
     *
     * @return the tenant, or null for a task placed by its run-at alone
     */
    public String tenant() {
        return headers.get(dev.ferry.Task.TENANT_HEADER);
    }

    /** True when the task must wait (scheduled) rather than be pending right away, given broker-now. */
    public boolean isDelayed(Instant now) {
        return runAt != null ? runAt.isAfter(now) : delay.isPositive();
    }

    /** The instant it becomes eligible, given broker-now. */
    public Instant eligibleAt(Instant now) {
        return runAt != null ? runAt : now.plus(delay);
    }
}
