package dev.ferry.spi;

import java.time.Duration;
import java.util.List;

/**
 * Block until work may be ready in one of the queues, or the timeout passes. A wake-up is a hint,
 * not a promise: the caller claims afterwards either way.
 */
public record AwaitRequest(List<String> queues, Duration timeout) {
    public AwaitRequest {
        queues = List.copyOf(queues);
    }
}
