package dev.ferry.embedded.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates the tables on open, in one write transaction so processes opening the same new file
 * at once do not race, upgrades a file of an older schema in place, and refuses a file written
 * by a newer schema.
 */
final class Schema {
    private Schema() {
    }

    static void createOrCheck(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            boolean done = false;
            try {
                int version = 0;
                st.execute(Sql.SCHEMA.get(0));
                try (ResultSet rs = st.executeQuery(Sql.SCHEMA_VERSION_GET)) {
                    if (rs.next()) {
                        version = rs.getInt(1);
                    }
                }
                if (version > Sql.SCHEMA_VERSION) {
                    throw new SQLException("the database was written by a newer Ferry (schema version " + version
                            + ", this one knows up to " + Sql.SCHEMA_VERSION + ")");
                }
                if (version >= 1 && version < 3) {
                    // Columns cannot be added IF NOT EXISTS: an older file gets them here, once.
                    for (String ddl : Sql.UPGRADE_TO_3) {
                        st.execute(ddl);
                    }
                }
                for (String ddl : Sql.SCHEMA) {
                    st.execute(ddl);
                }
                if (version < Sql.SCHEMA_VERSION) {
                    try (PreparedStatement ps = c.prepareStatement(Sql.SCHEMA_VERSION_SET)) {
                        ps.setInt(1, Sql.SCHEMA_VERSION);
                        ps.executeUpdate();
                    }
                }
                st.execute("COMMIT");
                done = true;
            } finally {
                if (!done) {
                    try {
                        st.execute("ROLLBACK");
                    } catch (SQLException ignored) {
                        // The original failure is the one worth reporting.
                    }
                }
            }
        }
    }
}
