package dev.ferry.spi;

import java.time.Duration;
import java.util.List;

/**
 * Extend many leases at once to broker-now + {@code lease}. Fenced: a lease whose token no longer
 * matches, or which already expired, is not renewed and is reported lost.
 *
 * @param leases leases to extend
 * @param lease  new lease duration from broker-now
 */
public record RenewRequest(List<Lease> leases, Duration lease) {
    public RenewRequest {
        leases = List.copyOf(leases);
    }
}
