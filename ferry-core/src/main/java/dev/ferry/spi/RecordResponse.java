package dev.ferry.spi;

import java.time.Instant;
import java.util.List;

/**
 * What a {@link RecordCommand} did.
 *
 * @param count   records stored, found or deleted
 * @param records the records read ({@link RecordCommand.Get}, {@link RecordCommand.All}); empty otherwise
 */
public record RecordResponse(int count, List<Entry> records) {
    public RecordResponse {
        records = List.copyOf(records);
    }

    /** A count with no records. */
    public static RecordResponse count(int count) {
        return new RecordResponse(count, List.of());
    }

    /**
     * One stored record.
     *
     * @param key       its key
     * @param json      its document
     * @param updatedAt broker time it was last stored
     */
    public record Entry(String key, String json, Instant updatedAt) {
    }
}
