package dev.ferry.embedded.internal;

import dev.ferry.BrokerException;
import java.sql.SQLException;
import org.sqlite.SQLiteException;

/** Translates SQLite failures into {@link BrokerException}, telling transient from permanent. */
final class SqliteErrors {
    private SqliteErrors() {
    }

    // Primary SQLite result codes (the low byte of extended codes).
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_PROTOCOL = 15;

    /** The primary result code of a SQLite failure, or -1 when it is not one. */
    static int primaryCode(SQLException e) {
        if (e instanceof SQLiteException se && se.getResultCode() != null) {
            return se.getResultCode().code & 0xff;
        }
        return e.getErrorCode() & 0xff;
    }

    /** True when another process holds the database lock: waiting and trying again helps. */
    static boolean isBusy(SQLException e) {
        int code = primaryCode(e);
        return code == SQLITE_BUSY || code == SQLITE_LOCKED;
    }

    /**
     * Busy or locked database, I/O errors and a full disk may pass; a corrupt file, a wrong path
     * or a constraint violation will not.
     */
    static boolean isTransient(SQLException e) {
        int code = primaryCode(e);
        return code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR
                || code == SQLITE_FULL || code == SQLITE_PROTOCOL;
    }

    /** A {@link BrokerException} for a failed operation, keeping SQLite's message. */
    static BrokerException translate(String operation, SQLException e) {
        return new BrokerException("embedded broker: " + operation + " failed: " + e.getMessage(),
                isTransient(e), e);
    }
}
