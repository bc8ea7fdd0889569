package dev.ferry.spi;

/** The end of one attempt: which lease, and how it ended. */
public record Ack(Lease lease, Outcome outcome) {
}
