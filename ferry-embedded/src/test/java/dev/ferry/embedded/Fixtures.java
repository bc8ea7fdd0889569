package dev.ferry.embedded;

import dev.ferry.spi.NewTask;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.sqlite.SQLiteConfig;

/** Small helpers shared by the embedded broker's own tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** A ready task for {@code queue} with a random id and the usual defaults. */
    static NewTask task(String queue) {
        return task(queue, "t-" + UUID.randomUUID());
    }

    static NewTask task(String queue, String id) {
        return new NewTask(id, queue, "test.task", "{\"n\":1}", 50, Duration.ZERO, null, 3, Duration.ofSeconds(30),
                null, null, Duration.ofHours(1), Duration.ofDays(7), Map.of());
    }

    static NewTask withMaxAttempts(NewTask t, int maxAttempts) {
        return new NewTask(t.id(), t.queue(), t.type(), t.payloadJson(), t.priority(), t.delay(), t.runAt(), maxAttempts,
                t.timeout(), t.uniqueKey(), t.uniqueFor(), t.retention(), t.deadRetention(), t.headers());
    }

    static NewTask withDelay(NewTask t, Duration delay) {
        return new NewTask(t.id(), t.queue(), t.type(), t.payloadJson(), t.priority(), delay, t.runAt(), t.maxAttempts(),
                t.timeout(), t.uniqueKey(), t.uniqueFor(), t.retention(), t.deadRetention(), t.headers());
    }

    static NewTask withType(NewTask t, String type) {
        return new NewTask(t.id(), t.queue(), type, t.payloadJson(), t.priority(), t.delay(), t.runAt(), t.maxAttempts(),
                t.timeout(), t.uniqueKey(), t.uniqueFor(), t.retention(), t.deadRetention(), t.headers());
    }

    static NewTask withHeaders(NewTask t, Map<String, String> headers) {
        return new NewTask(t.id(), t.queue(), t.type(), t.payloadJson(), t.priority(), t.delay(), t.runAt(), t.maxAttempts(),
                t.timeout(), t.uniqueKey(), t.uniqueFor(), t.retention(), t.deadRetention(), headers);
    }

    /** A plain JDBC connection to the file, to look at what the broker stored. */
    static Connection raw(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(5_000);
        return config.createConnection("jdbc:sqlite:" + file);
    }
}
