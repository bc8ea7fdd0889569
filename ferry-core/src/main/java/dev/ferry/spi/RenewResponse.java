package dev.ferry.spi;

import java.util.Set;

/**
 * @param lost            task ids whose lease was not renewed (expired, reclaimed, deleted): stop them
 * @param cancelRequested task ids renewed but asked to cancel: interrupt them and ack {@link Outcome.Cancelled}
 */
public record RenewResponse(Set<String> lost, Set<String> cancelRequested) {
    public RenewResponse {
        lost = Set.copyOf(lost);
        cancelRequested = Set.copyOf(cancelRequested);
    }
}
