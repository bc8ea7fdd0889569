package dev.ferry.postgres.internal;

import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitResponse;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Token buckets and semaphores ({@code docs/spi.md}, "permits"). {@link PgStore} runs each
 * operation of a request in a transaction of its own, so every one is atomic on its own, takes
 * the database's time as it runs, and holds its row or advisory lock only for its own few
 * statements (two requests naming the same buckets in opposite orders cannot deadlock). A take
 * or a release is one statement (run in auto-commit mode); an acquire is two, the second sent
 * with the {@code COMMIT}.
 */
public final class Permits {
    private Permits() {
    }

    /** Applies one operation inside {@code tx}. */
    public static PermitResponse.Result apply(Tx tx, PermitOp op) throws SQLException {
        return switch (op) {
            case PermitOp.Take take -> take(tx, take);
            case PermitOp.Acquire acquire -> acquire(tx, acquire);
            case PermitOp.Release release -> release(tx, release);
        };
    }

    private static PermitResponse.Result take(Tx tx, PermitOp.Take take) throws SQLException {
        long perMs = millis(take.per());
        try (ResultSet rs = tx.stmt("permit_take").text("name", take.name()).int8("limit", take.limit())
                .int8("per_ms", perMs).int8("burst", take.burst()).query()) {
            rs.next();
            if (rs.getBoolean("granted")) {
                return PermitResponse.Result.grant();
            }
            // The same arithmetic as the other backends, on the tokens the bucket held at `at`.
            double tokens = rs.getDouble("tokens");
            long wait = (long) Math.ceil((1 - tokens) * (double) perMs / take.limit());
            return PermitResponse.Result.deny(Rows.instant(rs, "at").plusMillis(wait));
        }
    }

    private static PermitResponse.Result acquire(Tx tx, PermitOp.Acquire acquire) throws SQLException {
        try (ResultSet rs = tx.stmt("permit_lock").text("name", acquire.name()).query()) {
            rs.next();
        }
        PermitResponse.Result[] result = new PermitResponse.Result[1];
        tx.lastStmt("permit_acquire").text("name", acquire.name()).text("holder", acquire.holder())
                .int4("limit", acquire.limit()).micros("ttl_us", acquire.ttl())
                .execute(rs -> result[0] = rs.getBoolean("granted")
                        ? PermitResponse.Result.grant()
                        : PermitResponse.Result.deny(Rows.instant(rs, "earliest")));
        return result[0];
    }

    private static PermitResponse.Result release(Tx tx, PermitOp.Release release) throws SQLException {
        try (ResultSet rs = tx.stmt("permit_release").text("name", release.name()).text("holder", release.holder())
                .query()) {
            return new PermitResponse.Result(rs.next() && rs.getBoolean("live"), null);
        }
    }

    /**
     * A refill period in whole milliseconds, saturating (a period of centuries is still valid);
     * at least 1: broker time has millisecond steps, and SQL division by zero is an error.
     */
    private static long millis(java.time.Duration d) {
        try {
            return Math.max(1, d.toMillis());
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
