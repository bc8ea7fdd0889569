package dev.ferry.embedded.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an embedded broker is opened with.
 *
 * @param file            the database file
 * @param clock           broker time
 * @param fullSync        {@code synchronous=FULL} (fsync every commit) instead of NORMAL
 * @param busyTimeout     how long one statement waits for another process's lock
 * @param pollInterval    longest {@code awaitWork} wait, so work written by other processes is found
 * @param readConnections read connections kept open at most
 */
public record Settings(Path file, Clock clock, boolean fullSync, Duration busyTimeout, Duration pollInterval,
                       int readConnections) {
    public Settings {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("busyTimeout must be between 0 and " + Integer.MAX_VALUE + " ms");
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive");
        }
        if (readConnections < 1) {
            throw new IllegalArgumentException("readConnections must be at least 1");
        }
    }
}
