package dev.ferry.postgres.internal;

import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecordResponse;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Records ({@code docs/spi.md}, "records"): one statement per command, its own transaction (auto-commit). */
public final class Records {
    private Records() {
    }

    public static RecordResponse run(Tx tx, RecordCommand command) throws SQLException {
        return switch (command) {
            case RecordCommand.Put put -> RecordResponse.count(
                    tx.stmt(put.onlyIfAbsent() ? "record_put_if_absent" : "record_put")
                            .text("namespace", put.namespace()).text("key", put.key()).text("json", put.json())
                            .update());
            case RecordCommand.Get get -> read(tx.stmt("record_get").text("namespace", get.namespace())
                    .text("key", get.key()));
            case RecordCommand.All all -> read(tx.stmt("record_all").text("namespace", all.namespace()));
            case RecordCommand.Delete delete -> RecordResponse.count(tx.stmt("record_delete")
                    .text("namespace", delete.namespace()).text("key", delete.key()).update());
        };
    }

    private static RecordResponse read(Stmt s) throws SQLException {
        List<RecordResponse.Entry> entries = new ArrayList<>();
        try (ResultSet rs = s.query()) {
            while (rs.next()) {
                entries.add(new RecordResponse.Entry(rs.getString("key"), rs.getString("json"),
                        Rows.instant(rs, "updated_at")));
            }
        }
        return new RecordResponse(entries.size(), entries);
    }
}
