package dev.ferry.postgres.internal;

import dev.ferry.BrokerException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The versioned schema and its migrator. Versions are the files {@code V<n>__<what>.sql} of
 * {@code dev/ferry/postgres/schema/}, listed in {@link #VERSIONS}; applied versions are rows of
 * {@code <schema>.schema_version}.
 *
 * <p>{@link #migrate} runs in one transaction holding a transaction-level advisory lock keyed by
 * the schema name, so processes starting together apply each version exactly once (the others
 * wait, then find nothing to do) and a failed migration leaves nothing half-applied. Running it
 * again is a no-op. {@link #check} is for teams that migrate by hand: it only verifies the
 * version.
 */
public final class Schema {
    /** Schema files in version order: version n is element n - 1. Add new versions at the end. */
    static final List<String> VERSIONS =
            List.of("V1__tasks.sql", "V2__permits_records.sql", "V3__fair_claim_order.sql");

    /** The version this code writes and reads. */
    public static final int LATEST = VERSIONS.size();

    private Schema() {
    }

    /** The SQL of one version with the schema name filled in. */
    public static String script(int version, String quotedSchema) {
        return Sql.read("/dev/ferry/postgres/schema/" + VERSIONS.get(version - 1)).replace("{schema}", quotedSchema);
    }

    /**
     * Brings the schema to {@link #LATEST}, creating it when missing. Idempotent.
     *
     * @return the versions applied now (empty when it was up to date)
     */
    public static List<Integer> migrate(Connection c, String schema, String quotedSchema) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                lock.setString(1, "dev.ferry.postgres.migrate:" + schema);
                lock.execute();
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + quotedSchema);
                s.execute("CREATE TABLE IF NOT EXISTS " + quotedSchema + ".schema_version ("
                        + "version integer PRIMARY KEY, description text NOT NULL, "
                        + "applied_at timestamptz NOT NULL DEFAULT now())");
            }
            int current = version(c, quotedSchema);
            if (current > LATEST) {
                throw tooNew(schema, current);
            }
            List<Integer> applied = new java.util.ArrayList<>();
            for (int v = current + 1; v <= LATEST; v++) {
                try (Statement s = c.createStatement()) {
                    s.execute(script(v, quotedSchema));
                }
                try (PreparedStatement record = c.prepareStatement(
                        "INSERT INTO " + quotedSchema + ".schema_version (version, description) VALUES (?, ?)")) {
                    record.setInt(1, v);
                    record.setString(2, description(v));
                    record.executeUpdate();
                }
                applied.add(v);
            }
            c.commit();
            return applied;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is broken; the server rolled back
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** Verifies that the schema exists at {@link #LATEST}, for brokers opened with migrate off. */
    public static void check(Connection c, String schema, String quotedSchema) throws SQLException {
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, quotedSchema + ".schema_version");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                exists = rs.getBoolean(1);
            }
        }
        int current = exists ? version(c, quotedSchema) : 0;
        if (!c.getAutoCommit()) {
            c.rollback();
        }
        if (current > LATEST) {
            throw tooNew(schema, current);
        }
        if (current < LATEST) {
            throw new BrokerException("postgres broker: schema '" + schema + "' is at version " + current
                    + ", this Ferry needs version " + LATEST + " and migrate is off: apply the files "
                    + VERSIONS.subList(current, LATEST) + " of dev/ferry/postgres/schema (docs/postgres.md), or open"
                    + " the broker with migrate on", false);
        }
    }

    private static int version(Connection c, String quotedSchema) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + quotedSchema + ".schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String description(int version) {
        String file = VERSIONS.get(version - 1);
        return file.substring(file.indexOf("__") + 2, file.length() - ".sql".length());
    }

    private static BrokerException tooNew(String schema, int current) {
        return new BrokerException("postgres broker: schema '" + schema + "' is at version " + current
                + ", newer than this Ferry knows (" + LATEST + "): upgrade Ferry", false);
    }
}
