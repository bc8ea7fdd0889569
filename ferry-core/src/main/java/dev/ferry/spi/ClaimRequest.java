package dev.ferry.spi;

import java.time.Duration;
import java.util.List;

/**
 * Claim up to {@code max} ready tasks. The broker takes from {@code queues} in the given order
 * (the core has already applied strict order or a weighted draw), skipping paused queues; within
 * a queue, lowest priority number first, then earliest run-at, then enqueue order. Due scheduled
 * and retrying tasks count as ready. Each claimed task becomes active under a fresh lease.
 *
 * @param workerId the claiming worker
 * @param queues   queues to take from, in order
 * @param max      most tasks to return (at least 1)
 * @param lease    lease duration from broker-now
 */
public record ClaimRequest(String workerId, List<String> queues, int max, Duration lease) {
    public ClaimRequest {
        queues = List.copyOf(queues);
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
    }
}
