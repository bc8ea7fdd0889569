package dev.ferry;

import dev.ferry.internal.Validation;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A task to enqueue: a type, a payload, and options. Immutable; every {@code withX} returns a copy.
 * Options left unset take the {@link Client}'s defaults.
 *
 * <pre>{@code
 * record ChargeOrder(String orderId, long cents) {}
 *
 * client.enqueue(Task.of("order.charge", new ChargeOrder("ord-123", 4200))
 *         .queue("critical")
 *         .priority(1)
 *         .delay(Duration.ofSeconds(10))
 *         .unique("charge:ord-123", Duration.ofHours(24)));
 * }</pre>
 *
 * @param type        stable task type name; selects the handler
 * @param payload     a record (or any Jackson-serializable value), or {@link RawJson}
 * @param queue       queue name, or null for the client's default queue
 * @param priority    0 (most urgent) to 100, or null for the default (50)
 * @param delay       run no sooner than this from now (mutually exclusive with runAt), or null
 * @param runAt       run no sooner than this instant, or null
 * @param maxAttempts attempts before the task goes dead, or null for the default
 * @param timeout     how long one attempt may run, or null for the default
 * @param uniqueKey   while a task with this key exists (up to uniqueFor), no other is accepted
 * @param uniqueFor   how long the unique key is held at most
 * @param id          caller-chosen id; a second enqueue with the same id creates nothing
 * @param retention   how long a completed task and its result are kept, or null for the default
 * @param headers     context carried to the worker (for example trace context)
 */
public record Task(
        String type,
        Object payload,
        String queue,
        Integer priority,
        Duration delay,
        Instant runAt,
        Integer maxAttempts,
        Duration timeout,
        String uniqueKey,
        Duration uniqueFor,
        String id,
        Duration retention,
        Map<String, String> headers) {

    public Task {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A task of the given type with a payload that Jackson can encode (usually a record). */
    public static Task of(String type, Object payload) {
        return new Task(type, payload, null, null, null, null, null, null, null, null, null, null, Map.of());
    }

    /** A task whose payload is already JSON text. The text is checked at enqueue. */
    public static Task ofJson(String type, String json) {
        return of(type, new RawJson(json));
    }

    public Task queue(String queue) {
        return new Task(type, payload, queue, priority, delay, runAt, maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, headers);
    }

    public Task priority(int priority) {
        return new Task(type, payload, queue, priority, delay, runAt, maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, headers);
    }

    /** Run no sooner than {@code delay} from now (broker time). Clears a run-at set before. */
    public Task delay(Duration delay) {
        return new Task(type, payload, queue, priority, Objects.requireNonNull(delay, "delay"), null, maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, headers);
    }

    /** Run no sooner than the given instant. Clears a delay set before. */
    public Task runAt(Instant runAt) {
        return new Task(type, payload, queue, priority, null, Objects.requireNonNull(runAt, "runAt"), maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, headers);
    }

    public Task maxAttempts(int maxAttempts) {
        return new Task(type, payload, queue, priority, delay, runAt, maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, headers);
    }

    public Task timeout(Duration timeout) {
        return new Task(type, payload, queue, priority, delay, runAt, maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, headers);
    }

    /** Refuse other tasks with the same key while this one exists, for at most {@code ttl}. */
    public Task unique(String key, Duration ttl) {
        return new Task(type, payload, queue, priority, delay, runAt, maxAttempts, timeout, key, ttl, id, retention, headers);
    }

    /** Use a caller-chosen id: a second enqueue with the same id creates no second task. */
    public Task id(String id) {
        return new Task(type, payload, queue, priority, delay, runAt, maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, headers);
    }

    /** Keep the completed task and its result this long. */
    public Task retention(Duration retention) {
        return new Task(type, payload, queue, priority, delay, runAt, maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, headers);
    }

    /** The header that carries a per-task retry policy. */
    public static final String RETRY_HEADER = "ferry-retry";

    /** Overrides the worker's and the type's retry policy for this task only. */
    public Task retry(RetryPolicy.Exponential policy) {
        return header(RETRY_HEADER, policy.toText());
    }

    /** The header that carries an aggregated task's group key. */
    public static final String GROUP_HEADER = "ferry-group";

    /**
     * Marks the task as an item to aggregate: it is not run on its own, but gathered with the other
     * tasks of its type, queue and group key, and handed to the type's {@link BatchHandler} as one
     * batch when enough have gathered or the first has waited long enough (the policy is set by
     * {@link WorkerBuilder#handleBatch}). The backend holds the items meanwhile.
     *
     * @param groupKey what to gather by, e.g. a user id; 1 to 120 characters
     * @throws InvalidInputException for a blank or too long key
     */
    public Task aggregate(String groupKey) {
        return header(GROUP_HEADER, Validation.key("group", groupKey, 120));
    }

    /** The header that marks a task as debounced, with its debounce key. */
    public static final String DEBOUNCE_HEADER = "ferry-debounce";

    /**
     * Debounces the task (trailing edge): it runs {@code window} after it is enqueued, and a later
     * task with the same debounce key enqueued before then <em>replaces</em> it (the earlier one
     * is deleted, the timer starts again, the last payload wins) — BullMQ's deduplication with
     * replace. "Reindex document 7 once the edits stop for 2 s". Uses the task's unique key
     * ({@code debounce:<key>}) and delay, so it cannot be combined with its own.
     *
     * @throws InvalidInputException for a blank or too long key or a window that is not positive
     */
    public Task debounce(String key, Duration window) {
        Validation.key("debounce.key", key, 180);
        if (window == null || !window.isPositive()) {
            throw new InvalidInputException("debounce.window", "must be a positive duration, was " + window);
        }
        return header(DEBOUNCE_HEADER, key).delay(window).unique("debounce:" + key, window);
    }

    /** The header that carries a task's {@link #key(String) key}. */
    public static final String KEY_HEADER = "ferry-key";

    /**
     * The task's key for per-key flow control ({@link Limit#perKey()}): a customer id for "100 per
     * minute per customer", an order id for "one at a time per order". At most 200 characters,
     * no control characters.
     *
     * @throws InvalidInputException for a blank, too long or control-character key
     */
    public Task key(String key) {
        return header(KEY_HEADER, Validation.key("key", key, 200));
    }

    /** The header that carries a task's {@link #tenant(String) tenant}. */
    public static final String TENANT_HEADER = "ferry-tenant";

    /**
     * The task's tenant, for fair scheduling inside its queue: the backend hands out the ready
     * tasks of different tenants round-robin, so one tenant's million tasks do not starve another's
     * ten (BullMQ Pro's groups, Hatchet's round-robin key). Priority still comes first: fairness
     * orders tasks of the same priority. Tasks without a tenant are placed by their run-at, as
     * always. See {@code docs/flow-control.md}, "Fair scheduling".
     *
     * @param tenant e.g. a customer or account id; 1 to 200 characters, no control characters
     * @throws InvalidInputException for a blank, too long or control-character tenant
     */
    public Task tenant(String tenant) {
        return header(TENANT_HEADER, Validation.key("tenant", tenant, 200));
    }

    /** Adds one header carried with the task to the worker. */
    public Task header(String name, String value) {
        Map<String, String> copy = new HashMap<>(headers);
        copy.put(name, value);
        return new Task(type, payload, queue, priority, delay, runAt, maxAttempts, timeout, uniqueKey, uniqueFor, id, retention, copy);
    }
}
