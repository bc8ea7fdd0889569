package dev.ferry.internal;

import java.util.concurrent.ThreadLocalRandom;

/** Waits between retries of a failing backend call: 50 ms doubling to 5 s, with jitter. */
final class Backoff {
    private static final long MIN_MS = 50;
    private static final long MAX_MS = 5_000;
    private int attempts;

    void reset() {
        attempts = 0;
    }

    int attempts() {
        return attempts;
    }

    long nextDelayMillis() {
        long base = Math.min(MAX_MS, MIN_MS << Math.min(attempts, 10));
        attempts++;
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    /** Sleeps for the next delay; an interrupt ends the pause early and stays set. */
    void pause() {
        try {
            Thread.sleep(nextDelayMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
