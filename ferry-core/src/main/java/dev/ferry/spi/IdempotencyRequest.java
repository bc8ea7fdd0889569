package dev.ferry.spi;

import java.time.Duration;

/**
 * Store {@code resultJson} under {@code key} unless a value is already stored; either way return
 * the stored value. With a null resultJson it only reads.
 *
 * @param key        idempotency key
 * @param resultJson value to store if absent, or null to read only
 * @param ttl        how long the stored value is kept
 */
public record IdempotencyRequest(String key, String resultJson, Duration ttl) {
}
