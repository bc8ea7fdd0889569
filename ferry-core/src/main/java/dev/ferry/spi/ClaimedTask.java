package dev.ferry.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A task handed to a worker by a claim.
 *
 * @param lease          the lease to fence later calls with
 * @param queue          queue name
 * @param type           task type
 * @param payloadJson    payload JSON
 * @param priority       priority
 * @param attempt        this attempt's number, 1-based
 * @param maxAttempts    attempts allowed
 * @param timeout        per-attempt timeout
 * @param enqueuedAt     when it was enqueued
 * @param leaseExpiresAt when the lease expires unless renewed (broker time)
 * @param headers        context carried from the producer
 */
public record ClaimedTask(
        Lease lease,
        String queue,
        String type,
        String payloadJson,
        int priority,
        int attempt,
        int maxAttempts,
        Duration timeout,
        Instant enqueuedAt,
        Instant leaseExpiresAt,
        Map<String, String> headers) {

    public ClaimedTask {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public String id() {
        return lease.taskId();
    }
}
