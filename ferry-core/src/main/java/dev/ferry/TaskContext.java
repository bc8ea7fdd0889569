package dev.ferry;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What a running handler knows about its task, and what it can do besides returning.
 */
public interface TaskContext {

    /** The stable task id: the same on every attempt, so handlers can be idempotent. */
    String id();

    String type();

    String queue();

    /** This attempt's number, 1-based. Greater than 1 means an earlier attempt failed or its lease expired. */
    int attempt();

    int maxAttempts();

    /** When this attempt's timeout interrupts the handler. */
    Instant deadline();

    /** Context carried from the producer (for example trace context). */
    Map<String, String> headers();

    /** The raw payload JSON. */
    String payloadJson();

    /**
     * Stores progress (any JSON-encodable value, for example a percentage) visible to the
     * {@link Inspector}. Returns false when this worker no longer holds the task.
     */
    boolean progress(Object progress);

    /**
     * True once the handler should stop: the task was cancelled, timed out, lost its lease or
     * the worker is shutting down. The handler's thread is interrupted as well.
     */
    boolean isCancelled();

    /**
     * Runs a side effect at most once per key (as far as the store can tell) and remembers its
     * result: a re-run after a crash or a retry gets the stored result instead of repeating the
     * effect. A crash between the effect and storing its result can still repeat it once; for
     * effects that must never repeat, pass the key to the remote system as well.
     *
     * @param key        the idempotency key, for example {@code "charge:" + orderId}
     * @param ttl        how long the result is remembered
     * @param resultType the result's type
     * @param action     the side effect
     */
    <T> T idempotent(String key, Duration ttl, Class<T> resultType, Callable<T> action) throws Exception;

    /**
     * The input of a workflow step, as JSON: the result of the step before it in a chain, or the
     * list of results (in order) of a group before it (a chord callback, a flow parent); null for
     * a first step or a task that is no workflow step. A step declared without a payload gets
     * the same JSON as its payload. Failed dependencies appear as
     * {@code {"ferryStepFailure": {...}}} under {@code CONTINUE} and are left out under {@code IGNORE}.
     */
    default String inputJson() {
        return null;
    }

    /** {@link #inputJson()} decoded into {@code type}; null when there is no input. */
    default <T> T input(Class<T> type) {
        String json = inputJson();
        return json == null ? null : JsonCodec.jackson().decode(json, type);
    }

    /** A list input ({@link #inputJson()} of a chord callback or flow parent), each element decoded into {@code type}. */
    default <T> java.util.List<T> inputs(Class<T> type) {
        String json = inputJson();
        if (json == null) {
            return java.util.List.of();
        }
        JsonCodec codec = JsonCodec.jackson();
        java.util.List<T> out = new java.util.ArrayList<>();
        for (Object element : codec.decode(json, java.util.List.class)) {
            out.add(codec.decode(codec.encode(element), type));
        }
        return out;
    }

    /** {@link #idempotent(String, Duration, Class, Callable)} remembering the result for 24 hours. */
    default <T> T idempotent(String key, Class<T> resultType, Callable<T> action) throws Exception {
        return idempotent(key, Duration.ofHours(24), resultType, action);
    }
}
