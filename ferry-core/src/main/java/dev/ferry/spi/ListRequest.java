package dev.ferry.spi;

import dev.ferry.TaskState;

/**
 * A page of tasks in one state, optionally of one queue, in claim order for ready states
 * (priority, run-at, enqueue order) and most recent first for finished ones.
 *
 * @param queue  queue name, or null for all queues
 * @param state  the state
 * @param offset tasks to skip
 * @param limit  page size (1..1000)
 */
public record ListRequest(String queue, TaskState state, int offset, int limit) {
}
