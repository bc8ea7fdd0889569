package dev.ferry.spi;

/**
 * @param requeued tasks sent back to pending
 * @param dead     tasks sent to the dead set (poison or out of attempts)
 */
public record RecoverResponse(int requeued, int dead) {
}
