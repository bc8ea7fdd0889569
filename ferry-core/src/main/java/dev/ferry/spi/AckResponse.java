package dev.ferry.spi;

import java.util.Set;

/** @param rejected task ids whose ack was refused by the fence (lease lost); all others applied */
public record AckResponse(Set<String> rejected) {
    public AckResponse {
        rejected = Set.copyOf(rejected);
    }
}
