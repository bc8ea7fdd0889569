package dev.ferry.spi;

/** @param affected tasks (or queues) changed by the command; 0 when nothing matched */
public record AdminResponse(long affected) {
}
