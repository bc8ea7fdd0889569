package dev.ferry.embedded.internal;

import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecordResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Records ({@code docs/spi.md}, "records"): puts and deletes run on the {@link Writer}, reads on
 * a read connection (the writer's commit precedes the caller's next read, so a caller reads its
 * own writes).
 */
final class Records {
    private Records() {
    }

    static RecordResponse write(WriteTx tx, RecordCommand command) throws SQLException {
        return switch (command) {
            case RecordCommand.Put put -> {
                PreparedStatement ps = tx.statement(put.onlyIfAbsent() ? Sql.RECORD_PUT_IF_ABSENT : Sql.RECORD_PUT);
                ps.setString(1, put.namespace());
                ps.setString(2, put.key());
                ps.setString(3, put.json());
                ps.setLong(4, tx.nowMillis());
                yield RecordResponse.count(ps.executeUpdate());
            }
            case RecordCommand.Delete delete -> {
                PreparedStatement ps = tx.statement(Sql.RECORD_DELETE);
                ps.setString(1, delete.namespace());
                ps.setString(2, delete.key());
                yield RecordResponse.count(ps.executeUpdate());
            }
            case RecordCommand.Get get -> throw new IllegalArgumentException("a read: " + get);
            case RecordCommand.All all -> throw new IllegalArgumentException("a read: " + all);
        };
    }

    static RecordResponse read(Connection c, RecordCommand command) throws SQLException {
        boolean one = command instanceof RecordCommand.Get;
        try (PreparedStatement ps = c.prepareStatement(one ? Sql.RECORD_GET : Sql.RECORD_ALL)) {
            ps.setString(1, command.namespace());
            if (command instanceof RecordCommand.Get get) {
                ps.setString(2, get.key());
            }
            List<RecordResponse.Entry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(new RecordResponse.Entry(rs.getString(1), rs.getString(2),
                            Instant.ofEpochMilli(rs.getLong(3))));
                }
            }
            return new RecordResponse(entries.size(), entries);
        }
    }
}
