package dev.ferry.spi;

import java.util.List;

/**
 * Flow-control operations, applied in order, each atomically on its own (not as one
 * transaction): a batch is one round trip, not one decision.
 *
 * @param ops the operations
 */
public record PermitRequest(List<PermitOp> ops) {
    public PermitRequest {
        ops = List.copyOf(ops);
    }
}
