package dev.ferry.embedded.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.BusyHandler;
import org.sqlite.SQLiteConfig;

/** Opens SQLite connections with the pragmas the broker relies on. */
final class Connections {
    private Connections() {
    }

    /** Page cache of the write connection, in KiB: big enough that the hot index pages stay in memory. */
    private static final int WRITER_CACHE_KIB = 64 * 1024;
    private static final int READER_CACHE_KIB = 16 * 1024;
    /**
     * Pages in the WAL before the writer checkpoints it itself: a backstop only, normally the
     * {@link Checkpointer} copies the log in the background first (see there). About 40 MiB.
     */
    private static final int WAL_AUTOCHECKPOINT_PAGES = 10_000;
    /** The WAL file is cut back to this size when the log restarts, so one burst does not keep its space. */
    private static final long WAL_SIZE_LIMIT_BYTES = 64L << 20;

    static Connection openWriter(Settings settings) throws SQLException {
        Connection c = open(settings);
        try (Statement st = c.createStatement()) {
            // Replaces busy_timeout on this connection: see BusyWait for why.
            BusyHandler.setHandler(c, new BusyWait(settings.busyTimeout().toNanos()));
            // WAL: readers never block the writer and a commit is one append to the log.
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
                String mode = rs.next() ? rs.getString(1) : null;
                if (!"wal".equalsIgnoreCase(mode)) {
                    c.close();
                    throw new SQLException("could not switch " + settings.file() + " to WAL mode (got " + mode
                            + "); the file system may not support shared memory");
                }
            }
            // NORMAL in WAL mode survives a crash of the process; FULL also survives power loss.
            st.execute("PRAGMA synchronous = " + (settings.fullSync() ? "FULL" : "NORMAL"));
            st.execute("PRAGMA cache_size = -" + WRITER_CACHE_KIB);
            st.execute("PRAGMA wal_autocheckpoint = " + WAL_AUTOCHECKPOINT_PAGES);
            st.execute("PRAGMA journal_size_limit = " + WAL_SIZE_LIMIT_BYTES);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    /** The background checkpointer's connection: it only runs checkpoints. */
    static Connection openCheckpointer(Settings settings) throws SQLException {
        return open(settings);
    }

    static Connection openReader(Settings settings) throws SQLException {
        Connection c = open(settings);
        try (Statement st = c.createStatement()) {
            // A read connection must never take the write lock by accident.
            st.execute("PRAGMA query_only = 1");
            st.execute("PRAGMA cache_size = -" + READER_CACHE_KIB);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private static Connection open(Settings settings) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) settings.busyTimeout().toMillis());
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        Connection c = config.createConnection("jdbc:sqlite:" + settings.file());
        try (Statement st = c.createStatement()) {
            // Fails here, not at the first operation, when the file is not a database.
            st.executeQuery("SELECT count(*) FROM sqlite_schema").close();
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing is best effort: the connection is being discarded either way.
        }
    }
}
