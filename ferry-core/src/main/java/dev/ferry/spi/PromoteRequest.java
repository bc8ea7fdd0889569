package dev.ferry.spi;

/**
 * Move due scheduled and retrying tasks to pending, across all queues, at most {@code limit}.
 * Claims promote on their own; this keeps ready counts true (for autoscalers) when no worker runs.
 */
public record PromoteRequest(int limit) {
}
