package dev.ferry;

import java.util.List;

/**
 * Puts tasks on queues. Thread-safe; get one from {@link Ferry#client()}.
 *
 * <pre>{@code
 * EnqueueResult r = client.enqueue(Task.of("email.send", new Email("a@b.c", "Hi")).queue("default"));
 * }</pre>
 *
 * Bad input is refused before anything is stored, with an {@link InvalidInputException} that
 * names the field.
 */
public interface Client {

    /** Enqueues one task. */
    EnqueueResult enqueue(Task task);

    /**
     * Enqueues many tasks in one round trip to the broker. Every task is validated first; if any is
     * invalid, nothing is stored and the error names its index ({@code tasks[3].queue: ...}).
     * Results come back in the same order.
     */
    List<EnqueueResult> enqueueAll(List<Task> tasks);

    /** Validates a task as {@link #enqueue} would, without storing it. */
    void validate(Task task);
}
