package dev.ferry.spi;

/**
 * Delete finished tasks whose retention ended, expired unique keys, idempotency records and
 * worker heartbeats, at most {@code limit} tasks per call.
 */
public record PruneRequest(int limit) {
}
