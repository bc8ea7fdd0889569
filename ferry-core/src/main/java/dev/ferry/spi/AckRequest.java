package dev.ferry.spi;

import java.util.List;

/**
 * Record many attempt outcomes at once (completions and failures are batched). Each ack is
 * fenced and atomic on its own: applied only if the task is active under that lease and the
 * lease has not expired; otherwise it is rejected and changes nothing.
 *
 * @param acks outcomes to record
 */
public record AckRequest(List<Ack> acks) {
    public AckRequest {
        acks = List.copyOf(acks);
    }
}
