package dev.ferry.spi;

/** Store progress for an active task, fenced by its lease. */
public record ProgressRequest(Lease lease, String progressJson) {
}
