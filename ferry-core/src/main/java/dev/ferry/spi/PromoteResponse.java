package dev.ferry.spi;

/** @param promoted tasks made pending */
public record PromoteResponse(int promoted) {
}
