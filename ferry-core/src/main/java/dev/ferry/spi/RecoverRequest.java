package dev.ferry.spi;

/**
 * Send tasks whose lease expired back to be run again. A recovered task's attempt stays counted
 * and its lease-expiration count grows; it goes dead instead, as {@code POISON}, when that count
 * reaches {@code maxLeaseExpirations}, and as {@code FAILED} when it has no attempts left.
 *
 * @param maxLeaseExpirations lease expirations after which a task is poison
 * @param limit               most tasks to recover in this call
 */
public record RecoverRequest(int maxLeaseExpirations, int limit) {
}
