package dev.ferry.postgres.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Durations as the microseconds the tables store, and back. */
public final class Micros {
    private Micros() {
    }

    /** Whole microseconds, saturating at {@link Long#MAX_VALUE} (the SQL caps it at 1000 years anyway). */
    public static long of(Duration d) {
        if (d == null) {
            return 0;
        }
        try {
            return Math.multiplyExact(d.getSeconds(), 1_000_000L) + d.getNano() / 1_000;
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    public static Duration duration(long micros) {
        return Duration.of(micros, ChronoUnit.MICROS);
    }

    /** The instant as the database stores it: truncated to whole microseconds. */
    public static Instant truncate(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }
}
