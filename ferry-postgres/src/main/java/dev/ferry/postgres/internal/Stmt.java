package dev.ferry.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;

/**
 * One prepared {@link Sql.Statement} with parameters bound by name: every position of a name
 * gets the value. Executing checks that every parameter was bound, so a typo in a SQL file fails
 * loudly in the first test instead of binding NULL.
 */
public final class Stmt implements AutoCloseable {
    private final Sql.Statement statement;
    private final Connection connection;
    private final PreparedStatement ps;
    private final BitSet bound = new BitSet();

    Stmt(Connection connection, Sql.Statement statement) throws SQLException {
        this.statement = statement;
        this.connection = connection;
        this.ps = connection.prepareStatement(statement.jdbc());
    }

    /** True when the statement has a parameter of that name. */
    public boolean has(String name) {
        return statement.positions().contains(name);
    }

    public Stmt text(String name, String value) throws SQLException {
        for (int i : positions(name)) {
            if (value == null) {
                ps.setNull(i, Types.VARCHAR);
            } else {
                ps.setString(i, value);
            }
        }
        return this;
    }

    public Stmt int4(String name, int value) throws SQLException {
        for (int i : positions(name)) {
            ps.setInt(i, value);
        }
        return this;
    }

    public Stmt bool(String name, boolean value) throws SQLException {
        for (int i : positions(name)) {
            ps.setBoolean(i, value);
        }
        return this;
    }

    public Stmt int8(String name, long value) throws SQLException {
        for (int i : positions(name)) {
            ps.setLong(i, value);
        }
        return this;
    }

    /** A duration as whole microseconds (saturating), the unit of every *_us column. */
    public Stmt micros(String name, Duration value) throws SQLException {
        return int8(name, Micros.of(value));
    }

    /** An instant as ISO-8601 text; the SQL casts it to timestamptz. Null binds NULL. */
    public Stmt instant(String name, Instant value) throws SQLException {
        return text(name, value == null ? null : value.toString());
    }

    public Stmt textArray(String name, List<String> values) throws SQLException {
        return array(name, "text", values.toArray(new String[0]));
    }

    public Stmt int4Array(String name, List<Integer> values) throws SQLException {
        return array(name, "int4", values.toArray(new Integer[0]));
    }

    public Stmt int8Array(String name, List<Long> values) throws SQLException {
        return array(name, "int8", values.toArray(new Long[0]));
    }

    private Stmt array(String name, String type, Object[] values) throws SQLException {
        java.sql.Array array = connection.createArrayOf(type, values);
        for (int i : positions(name)) {
            ps.setArray(i, array);
        }
        return this;
    }

    /** Runs a query; the caller closes the result set (closing this statement also does). */
    public ResultSet query() throws SQLException {
        checkBound();
        return ps.executeQuery();
    }

    /** Reads one row of a result. */
    @FunctionalInterface
    public interface RowReader {
        void row(ResultSet rs) throws SQLException;
    }

    /**
     * Runs a statement that may be several ({@code ...; COMMIT}) and reads past every result, so
     * that an error of any part is thrown here.
     */
    public void execute() throws SQLException {
        execute(rs -> { });
    }

    /** As {@link #execute()}, handing each row of the first result set to {@code reader}. */
    public void execute(RowReader reader) throws SQLException {
        checkBound();
        boolean resultSet = ps.execute();
        boolean first = true;
        while (resultSet || ps.getUpdateCount() != -1) {
            if (resultSet && first) {
                first = false;
                try (ResultSet rs = ps.getResultSet()) {
                    while (rs.next()) {
                        reader.row(rs);
                    }
                }
            }
            resultSet = ps.getMoreResults();
        }
    }

    /** Runs an update; returns its row count. */
    public int update() throws SQLException {
        checkBound();
        return ps.executeUpdate();
    }

    private int[] positions(String name) {
        List<String> names = statement.positions();
        int count = 0;
        for (String n : names) {
            if (n.equals(name)) {
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalStateException("sql/" + statement.name() + ".sql has no parameter :" + name);
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(name)) {
                out[k++] = i + 1;
                bound.set(i);
            }
        }
        return out;
    }

    private void checkBound() {
        int missing = bound.nextClearBit(0);
        if (missing < statement.positions().size()) {
            throw new IllegalStateException("sql/" + statement.name() + ".sql: parameter :"
                    + statement.positions().get(missing) + " was not bound");
        }
    }

    @Override
    public void close() throws SQLException {
        ps.close();
    }
}
