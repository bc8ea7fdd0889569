package dev.ferry.spi;

import java.time.Duration;

/**
 * Take or extend a named leader lease: granted when nobody holds it, it expired, or
 * {@code holder} already holds it. Used so one cron scheduler fires each tick once.
 */
public record LeaderRequest(String name, String holder, Duration ttl) {
}
