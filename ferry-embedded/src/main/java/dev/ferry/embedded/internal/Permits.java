package dev.ferry.embedded.internal;

import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Token buckets and semaphores ({@code docs/spi.md}, "permits"), run by the {@link Writer}: the
 * one writer thread and {@code BEGIN IMMEDIATE} serialize every read-decide-write against all
 * other writers, this process's and other processes', so each operation is atomic. The ops of a
 * request share one transaction, but each reads the clock as it runs (as any operation of a
 * group commit does) and sees what the ones before it wrote.
 */
final class Permits {
    private Permits() {
    }

    static PermitResponse apply(WriteTx tx, PermitRequest request) throws SQLException {
        List<PermitResponse.Result> results = new ArrayList<>(request.ops().size());
        for (PermitOp op : request.ops()) {
            tx.startOperation();
            long now = tx.nowMillis();
            results.add(switch (op) {
                case PermitOp.Take take -> take(tx, take, now);
                case PermitOp.Acquire acquire -> acquire(tx, acquire, now);
                case PermitOp.Release release -> release(tx, release, now);
            });
        }
        return new PermitResponse(results);
    }

    /**
     * The bucket refills continuously from what it held at its last use; a bucket never used, or
     * idle past the time it was full again, holds {@code burst}.
     */
    private static PermitResponse.Result take(WriteTx tx, PermitOp.Take take, long now) throws SQLException {
        double perMs = TaskWrites.millis(take.per());
        double tokens = take.burst();
        PreparedStatement get = tx.statement(Sql.BUCKET_GET);
        get.setString(1, take.name());
        try (ResultSet rs = get.executeQuery()) {
            if (rs.next() && rs.getLong(3) > now) {
                tokens = Math.min(take.burst(), rs.getDouble(1) + (now - rs.getLong(2)) * take.limit() / perMs);
            }
        }
        PermitResponse.Result result;
        if (tokens >= 1) {
            tokens -= 1;
            result = PermitResponse.Result.grant();
        } else {
            long wait = (long) Math.ceil((1 - tokens) * perMs / take.limit());
            result = PermitResponse.Result.deny(Instant.ofEpochMilli(TaskWrites.plusMillis(now, wait)));
        }
        long untilFull = (long) Math.ceil((take.burst() - tokens) * perMs / take.limit());
        PreparedStatement put = tx.statement(Sql.BUCKET_PUT);
        put.setString(1, take.name());
        put.setDouble(2, tokens);
        put.setLong(3, now);
        put.setLong(4, TaskWrites.plusMillis(now, untilFull));
        put.executeUpdate();
        return result;
    }

    private static PermitResponse.Result acquire(WriteTx tx, PermitOp.Acquire acquire, long now) throws SQLException {
        PreparedStatement get = tx.statement(Sql.SEMAPHORE_HOLDERS);
        get.setString(1, acquire.name());
        get.setLong(2, now);
        int live = 0;
        boolean holds = false;
        long earliest = Long.MAX_VALUE;
        try (ResultSet rs = get.executeQuery()) {
            while (rs.next()) {
                live++;
                holds |= rs.getString(1).equals(acquire.holder());
                earliest = Math.min(earliest, rs.getLong(2));
            }
        }
        if (!holds && live >= acquire.limit()) {
            return PermitResponse.Result.deny(Instant.ofEpochMilli(earliest));
        }
        PreparedStatement put = tx.statement(Sql.SEMAPHORE_PUT);
        put.setString(1, acquire.name());
        put.setString(2, acquire.holder());
        put.setLong(3, TaskWrites.plus(now, acquire.ttl()));
        put.executeUpdate();
        return PermitResponse.Result.grant();
    }

    private static PermitResponse.Result release(WriteTx tx, PermitOp.Release release, long now) throws SQLException {
        PreparedStatement delete = tx.statement(Sql.SEMAPHORE_DELETE);
        delete.setString(1, release.name());
        delete.setString(2, release.holder());
        boolean live = false;
        try (ResultSet rs = delete.executeQuery()) {
            if (rs.next()) {
                live = rs.getLong(1) > now;
            }
        }
        return new PermitResponse.Result(live, null);
    }

    /** Forgets buckets that are full again (they read as full without a row) and expired holders. */
    static void prune(WriteTx tx) throws SQLException {
        for (String sql : List.of(Sql.PRUNE_BUCKETS, Sql.PRUNE_SEMAPHORES)) {
            PreparedStatement ps = tx.statement(sql);
            ps.setLong(1, tx.nowMillis());
            ps.executeUpdate();
        }
    }
}
