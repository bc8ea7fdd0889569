package dev.ferry.internal;

import dev.ferry.Client;
import dev.ferry.EnqueueInterceptor;
import dev.ferry.EnqueueResult;
import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.TaskDefaults;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.Broker;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Validates and encodes tasks, then hands them to the broker in one request. */
public final class DefaultClient implements Client {
    private static final int MAX_HEADERS_CHARS = 16 * 1024;

    private final Broker broker;
    private final JsonCodec codec;
    private final TaskDefaults defaults;

    private final List<EnqueueInterceptor> interceptors;

    public DefaultClient(Broker broker, JsonCodec codec, TaskDefaults defaults) {
        this(broker, codec, defaults, List.of());
    }

    public DefaultClient(Broker broker, JsonCodec codec, TaskDefaults defaults, List<EnqueueInterceptor> interceptors) {
        this.broker = broker;
        this.codec = codec;
        this.defaults = defaults;
        this.interceptors = List.copyOf(interceptors);
    }

    @Override
    public EnqueueResult enqueue(Task task) {
        if (interceptors.isEmpty()) {
            return prepareAndStore(java.util.Collections.singletonList(task), true).get(0);
        }
        if (task == null) {
            throw new InvalidInputException("task", "must not be null");
        }
        return intercepted(List.of(task), 0, true).get(0);
    }

    @Override
    public List<EnqueueResult> enqueueAll(List<Task> tasks) {
        if (tasks == null) {
            throw new InvalidInputException("tasks", "must not be null");
        }
        if (tasks.isEmpty()) {
            return List.of();
        }
        return interceptors.isEmpty() ? prepareAndStore(tasks, false) : intercepted(nullTolerantCopy(tasks), 0, false);
    }

    /** Runs interceptor {@code i} and, at the end of the chain, validates and stores. */
    private List<EnqueueResult> intercepted(List<Task> tasks, int i, boolean single) {
        if (i == interceptors.size()) {
            return prepareAndStore(tasks, single);
        }
        List<EnqueueResult> results = interceptors.get(i).intercept(tasks, next -> intercepted(nullTolerantCopy(next), i + 1, single));
        if (results == null || results.size() != tasks.size()) {
            throw new IllegalStateException("enqueue interceptor " + interceptors.get(i) + " must return one result per task");
        }
        return results;
    }

    /** An unmodifiable copy that keeps null elements, so validation can name them ({@code tasks[2]}). */
    private static List<Task> nullTolerantCopy(List<Task> tasks) {
        return java.util.Collections.unmodifiableList(new ArrayList<>(tasks));
    }

    private List<EnqueueResult> prepareAndStore(List<Task> tasks, boolean single) {
        List<NewTask> prepared = new ArrayList<>(tasks.size());
        boolean debounced = false;
        for (int i = 0; i < tasks.size(); i++) {
            prepared.add(prepare(tasks.get(i), single ? "" : "tasks[" + i + "]."));
            debounced |= tasks.get(i).headers().containsKey(Task.DEBOUNCE_HEADER);
        }
        if (!debounced) {
            return store(prepared);
        }
        // Rare path: a debounced task may have to replace another, so each goes on its own, in order.
        List<EnqueueResult> results = new ArrayList<>(prepared.size());
        for (NewTask t : prepared) {
            results.add(t.headers().containsKey(Task.DEBOUNCE_HEADER) ? replacing(t) : store(List.of(t)).get(0));
        }
        return results;
    }

    /**
     * Enqueues a debounced task, deleting the pending task that holds its debounce key first. Not
     * one atomic step: a concurrent debounce of the same key may slip in between, and then this
     * loop deletes that one too, so the last enqueue wins and one task per key is left.
     */
    private EnqueueResult replacing(NewTask task) {
        EnqueueResult r = null;
        for (int round = 0; round < 10; round++) {
            r = store(List.of(task)).get(0);
            if (r.status() != EnqueueResult.Status.DUPLICATE_UNIQUE_KEY) {
                return r;
            }
            broker.admin(new AdminCommand.Delete(r.id())); // refused (0) only while the holder runs
        }
        return r;
    }

    private List<EnqueueResult> store(List<NewTask> prepared) {
        return broker.enqueue(new EnqueueRequest(prepared)).results();
    }

    @Override
    public void validate(Task task) {
        prepare(task, "");
    }

    /** Checks every field (the error names it) and fills in defaults. Nothing is stored here. */
    NewTask prepare(Task task, String prefix) {
        if (task == null) {
            throw new InvalidInputException(prefix.isEmpty() ? "task" : prefix.substring(0, prefix.length() - 1), "must not be null");
        }
        String type = Validation.type(prefix + "type", task.type());
        String queue = Validation.queue(prefix + "queue", task.queue() != null ? task.queue() : defaults.queue());
        if (task.headers().containsKey(Task.GROUP_HEADER)) {
            // an item to aggregate waits in its queue's holding queue until the aggregator batches it
            queue = Aggregator.holdingQueue(queue);
        }
        int priority = Validation.priority(prefix + "priority", task.priority() != null ? task.priority() : defaults.priority());
        if (task.delay() != null) {
            Validation.nonNegative(prefix + "delay", task.delay());
        }
        int maxAttempts = Validation.maxAttempts(prefix + "maxAttempts",
                task.maxAttempts() != null ? task.maxAttempts() : defaults.maxAttempts());
        Duration timeout = Validation.positive(prefix + "timeout", task.timeout() != null ? task.timeout() : defaults.timeout());
        Duration retention = Validation.nonNegative(prefix + "retention",
                task.retention() != null ? task.retention() : defaults.retention());
        String uniqueKey = task.uniqueKey();
        Duration uniqueFor = null;
        if (uniqueKey != null) {
            if (uniqueKey.isBlank() || uniqueKey.length() > Validation.MAX_NAME_LENGTH) {
                throw new InvalidInputException(prefix + "uniqueKey", "must be 1 to " + Validation.MAX_NAME_LENGTH + " characters, not blank");
            }
            uniqueFor = Validation.positive(prefix + "uniqueFor", task.uniqueFor());
        } else if (task.uniqueFor() != null) {
            throw new InvalidInputException(prefix + "uniqueFor", "is set but uniqueKey is not");
        }
        String id = task.id() != null ? Validation.id(prefix + "id", task.id()) : TaskIds.next();
        checkHeaders(prefix, task.headers());

        if (task.payload() == null) {
            throw new InvalidInputException(prefix + "payload", "must not be null (use an empty record or RawJson(\"{}\"))");
        }
        String payloadJson;
        try {
            payloadJson = codec.encode(task.payload());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(prefix + e.field(), e.getMessage().substring(e.field().length() + 2));
        }
        long size = Validation.utf8Length(payloadJson);
        if (size > defaults.maxPayloadBytes()) {
            throw new InvalidInputException(prefix + "payload", "is " + size + " bytes, over the limit of "
                    + defaults.maxPayloadBytes() + " bytes (put large data elsewhere and enqueue a reference)");
        }
        return new NewTask(id, queue, type, payloadJson, priority, task.delay(), task.runAt(), maxAttempts, timeout,
                uniqueKey, uniqueFor, retention, defaults.deadRetention(), task.headers());
    }

    private static void checkHeaders(String prefix, Map<String, String> headers) {
        long chars = 0;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey() == null || h.getKey().isBlank() || h.getValue() == null) {
                throw new InvalidInputException(prefix + "headers", "names must not be blank and values not null");
            }
            chars += h.getKey().length() + h.getValue().length();
        }
        if (chars > MAX_HEADERS_CHARS) {
            throw new InvalidInputException(prefix + "headers", "are " + chars + " characters, over the limit of " + MAX_HEADERS_CHARS);
        }
        // set through header() rather than tenant()/key(): the same rules, as the backends index them
        if (headers.containsKey(Task.TENANT_HEADER)) {
            Validation.key(prefix + "tenant", headers.get(Task.TENANT_HEADER), 200);
        }
        if (headers.containsKey(Task.KEY_HEADER)) {
            Validation.key(prefix + "key", headers.get(Task.KEY_HEADER), 200);
        }
        String retry = headers.get(Task.RETRY_HEADER);
        if (retry != null) {
            RetryPolicy.Exponential.fromText(retry);
        }
    }
}
