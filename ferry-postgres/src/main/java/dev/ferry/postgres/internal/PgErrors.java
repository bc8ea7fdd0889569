package dev.ferry.postgres.internal;

import dev.ferry.BrokerException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Translates JDBC failures into {@link BrokerException}s that name the operation and say whether
 * trying again may help. Transient: connection failures (SQLState class 08), rolled-back
 * transactions (class 40: serialization failure, deadlock), insufficient resources (53, such as
 * too many connections), a server shutting down or starting (57P0x), lock and statement
 * timeouts, and a pool that could not hand out a connection in time.
 */
public final class PgErrors {
    private PgErrors() {
    }

    public static BrokerException translate(String what, SQLException e) {
        String state = sqlState(e);
        boolean transientFailure = isTransient(e, state);
        StringBuilder message = new StringBuilder(what).append(": ").append(describe(e));
        if (state != null) {
            message.append(" (SQLState ").append(state).append(')');
        }
        String hint = hint(state);
        if (hint != null) {
            message.append("; ").append(hint);
        }
        return new BrokerException(message.toString(), transientFailure, e);
    }

    static boolean isTransient(SQLException e, String state) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return true;
        }
        if (state == null) {
            return false;
        }
        return state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                || state.startsWith("57P") || state.equals("55P03") || state.equals("57014");
    }

    /** The first SQLState along the chain of causes (pools wrap the driver's exception). */
    static String sqlState(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return null;
    }

    private static String describe(SQLException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !m.contains(cause.getMessage())) {
            m += " (" + cause.getMessage() + ")";
        }
        return m.strip();
    }

    private static String hint(String state) {
        if (state == null) {
            return null;
        }
        return switch (state) {
            case "42P01", "3F000", "42883" -> "the Ferry schema is missing or incomplete: open the broker with migrate"
                    + " on, or apply the files of dev/ferry/postgres/schema by hand (docs/postgres.md)";
            case "28P01", "28000" -> "check the user name and password";
            case "3D000" -> "create the database first, or fix its name in the URL";
            case "08001", "08004", "08006" -> "is PostgreSQL running and reachable at that address?";
            case "53300" -> "too many connections: lower maxConnections or raise max_connections";
            default -> null;
        };
    }
}
