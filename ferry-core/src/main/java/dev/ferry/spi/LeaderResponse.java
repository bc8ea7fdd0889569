package dev.ferry.spi;

import java.time.Instant;

/**
 * @param leader true when the caller holds the lease now
 * @param holder the current holder
 * @param until  when the current holder's lease expires
 */
public record LeaderResponse(boolean leader, String holder, Instant until) {
}
