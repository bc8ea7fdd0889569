package dev.ferry.spi;

import java.util.List;

/**
 * Give leases back without running the tasks (graceful shutdown): each task returns to pending
 * and the attempt is not counted. Fenced like {@link AckRequest}.
 */
public record ReleaseRequest(List<Lease> leases) {
    public ReleaseRequest {
        leases = List.copyOf(leases);
    }
}
