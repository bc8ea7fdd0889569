package dev.ferry.internal;

import java.time.Duration;

/**
 * How one task type is aggregated: at most {@code maxSize} items per batch, and a batch is
 * formed at the latest when its oldest item has waited {@code maxDelay}.
 */
public record Aggregation(String type, int maxSize, Duration maxDelay) {
}
