package dev.ferry.spi;

/** @param pruned finished tasks deleted */
public record PruneResponse(int pruned) {
}
