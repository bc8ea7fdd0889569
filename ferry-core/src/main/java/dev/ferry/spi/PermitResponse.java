package dev.ferry.spi;

import java.time.Instant;
import java.util.List;

/**
 * One result per operation of the request, in its order.
 *
 * @param results the results
 */
public record PermitResponse(List<Result> results) {
    public PermitResponse {
        results = List.copyOf(results);
    }

    /**
     * What one operation did.
     *
     * @param granted whether the token or slot was granted (for a release: whether it was held)
     * @param retryAt when denied, the broker-time instant a new try may succeed; null otherwise
     */
    public record Result(boolean granted, Instant retryAt) {
        /** A granted result. */
        public static Result grant() {
            return new Result(true, null);
        }

        /** A denied result that may succeed at {@code retryAt}. */
        public static Result deny(Instant retryAt) {
            return new Result(false, retryAt);
        }
    }
}
