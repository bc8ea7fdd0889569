package dev.ferry.spi;

/**
 * A worker's hold on an active task. The token fences every later call: it changes at each claim,
 * so a worker whose lease expired (and whose task was claimed again) can no longer change the task.
 *
 * @param taskId the task
 * @param token  fencing token issued at claim
 */
public record Lease(String taskId, long token) {
}
