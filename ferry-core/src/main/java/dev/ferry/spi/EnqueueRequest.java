package dev.ferry.spi;

import java.util.List;

/**
 * A batch of tasks to store. Each task is one atomic step: stored whole with its unique key,
 * or refused as a duplicate, never half-written. Results come back in the same order.
 *
 * @param tasks tasks in order
 */
public record EnqueueRequest(List<NewTask> tasks) {
    public EnqueueRequest {
        tasks = List.copyOf(tasks);
    }
}
