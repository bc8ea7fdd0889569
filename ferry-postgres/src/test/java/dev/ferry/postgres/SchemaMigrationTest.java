package dev.ferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.BrokerException;
import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.RecordCommand;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The migrator: idempotent, safe when processes start together, and switched off for hand migration. */
class SchemaMigrationTest {
    private final String schema = TestDatabase.newSchema("migrate");

    @AfterEach
    void drop() {
        TestDatabase.dropSchema(schema);
    }

    private List<Integer> versions() throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM \"" + schema + "\".schema_version ORDER BY version")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    @Test
    void migratingAgainChangesNothingAndKeepsTheTasks() throws Exception {
        String id;
        try (PostgresBroker b = TestDatabase.broker(schema).build(); Ferry ferry = Ferry.builder().broker(b).build()) {
            id = ferry.client().enqueue(Task.ofJson("t.kept", "{\"n\":1}")).id();
        }
        try (PostgresBroker b = TestDatabase.broker(schema).build()) {
            assertThat(b.get(id)).isPresent();
        }
        assertThat(versions()).containsExactly(1, 2, 3);
    }

    @Test
    void brokersStartingTogetherApplyTheSchemaOnce() throws Exception {
        int n = 4;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<PostgresBroker>> opened = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                opened.add(pool.submit(() -> {
                    start.await();
                    return TestDatabase.broker(schema).maxConnections(1).notify(false).build();
                }));
            }
            start.countDown();
            for (Future<PostgresBroker> f : opened) {
                f.get(60, TimeUnit.SECONDS).close();
            }
        }
        assertThat(versions()).containsExactly(1, 2, 3);
    }

    @Test
    void withMigrateOffAMissingSchemaIsAClearErrorAndNothingIsCreated() throws Exception {
        assertThatThrownBy(() -> TestDatabase.broker(schema).migrate(false).build())
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("schema '" + schema + "' is at version 0")
                .hasMessageContaining("migrate is off")
                .hasMessageContaining("V1__tasks.sql")
                .satisfies(e -> assertThat(((BrokerException) e).isTransient()).isFalse());
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("schema created with migrate off").isZero();
        }
    }

    /** Applies the shipped files up to {@code version} by hand, as a DBA would with migrate off. */
    private void applyByHand(int version) throws SQLException {
        String[] descriptions = {"tasks", "permits_records", "fair_claim_order"};
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE SCHEMA \"" + schema + "\"");
            s.execute("CREATE TABLE \"" + schema + "\".schema_version (version integer PRIMARY KEY,"
                    + " description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            for (int v = 1; v <= version; v++) {
                s.execute(dev.ferry.postgres.internal.Schema.script(v, "\"" + schema + "\""));
                s.execute("INSERT INTO \"" + schema + "\".schema_version (version, description) VALUES (" + v
                        + ", '" + descriptions[v - 1] + "')");
            }
            c.commit();
        }
    }

    @Test
    void withMigrateOffASchemaAppliedByHandFromTheShippedFilesWorks() throws Exception {
        applyByHand(3);
        try (PostgresBroker b = TestDatabase.broker(schema).migrate(false).build();
             Ferry ferry = Ferry.builder().broker(b).build()) {
            assertThat(ferry.client().enqueue(Task.ofJson("t.hand", "{}")).created()).isTrue();
        }
    }

    @Test
    void aVersionOneSchemaIsUpgradedKeepingItsTasksOrRefusedWithMigrateOff() throws Exception {
        applyByHand(1);
        assertThatThrownBy(() -> TestDatabase.broker(schema).migrate(false).build())
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("is at version 1")
                .hasMessageContaining("V2__permits_records.sql");
        String id;
        try (PostgresBroker b = TestDatabase.broker(schema).build(); Ferry ferry = Ferry.builder().broker(b).build()) {
            id = ferry.client().enqueue(Task.ofJson("t.kept", "{}")).id();
        }
        // upgraded: a broker with migrate off accepts the schema, and the version 2 tables work
        try (PostgresBroker b = TestDatabase.broker(schema).migrate(false).build()) {
            assertThat(b.get(id)).isPresent();
            assertThat(b.records(new RecordCommand.Put("cron", "k", "{}", false)).count()).isEqualTo(1);
            assertThat(b.permits(new PermitRequest(List.of(new PermitOp.Take("b", 1, Duration.ofSeconds(1), 1))))
                    .results().get(0).granted()).isTrue();
        }
        assertThat(versions()).containsExactly(1, 2, 3);
    }

    @Test
    void aVersionTwoSchemaIsUpgradedKeepingItsTasksWhichThenShareRoundsWithNewTenants() throws Exception {
        applyByHand(2);
        String q = "\"" + schema + "\"";
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            // pending tasks of version 2, one of them with a tenant header set by hand, and a scheduled one
            s.execute("INSERT INTO " + q + ".task (id, queue, type, payload, priority, state, max_attempts, timeout_us,"
                    + " run_at, enqueued_at, retention_us, dead_retention_us, headers) VALUES"
                    + " ('old-1', 'q', 't', '{}', 50, 'PENDING', 3, 1, now() - interval '2 seconds', now(), 1, 1, NULL),"
                    + " ('old-2', 'q', 't', '{}', 50, 'PENDING', 3, 1, now() - interval '1 second', now(), 1, 1,"
                    + "  '{\"ferry-tenant\": \"acme\"}'),"
                    + " ('old-3', 'q', 't', '{}', 50, 'SCHEDULED', 3, 1, now() + interval '1 hour', now(), 1, 1, NULL)");
        }
        assertThatThrownBy(() -> TestDatabase.broker(schema).migrate(false).build())
                .hasMessageContaining("is at version 2")
                .hasMessageContaining("V3__fair_claim_order.sql");

        try (PostgresBroker b = TestDatabase.broker(schema).build()) {
            assertThat(versions()).containsExactly(1, 2, 3);
            try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT id, tenant, fair_at FROM " + q + ".task ORDER BY id")) {
                    List<String> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(rs.getString(1) + ":" + rs.getString(2) + ":" + rs.getString(3));
                    }
                    // the tenant taken from the header; no fair positions: kept tasks stay where they were
                    assertThat(rows).containsExactly("old-1:null:null", "old-2:acme:null", "old-3:null:null");
                }
                try (ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = '" + schema
                        + "' AND indexname = 'task_ready'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).contains("COALESCE(fair_at, run_at), seq").contains("WHERE (state = 'PENDING'");
                }
            }
            // A new tenant joins the current round: right after the head, before the older acme task.
            b.enqueue(new EnqueueRequest(List.of(new NewTask("new-1", "q", "t", "{}", 50, null, null, 3,
                    Duration.ofSeconds(1), null, null, Duration.ofDays(1), Duration.ofDays(1),
                    Map.of(Task.TENANT_HEADER, "globex")))));
            List<String> claimed = b.claim(new ClaimRequest("w", List.of("q"), 3, Duration.ofSeconds(30))).tasks()
                    .stream().map(ClaimedTask::id).toList();
            assertThat(claimed).containsExactly("old-1", "new-1", "old-2");
        }
    }

    @Test
    void aSchemaNewerThanThisFerryIsRefused() throws Exception {
        TestDatabase.broker(schema).build().close();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"" + schema + "\".schema_version (version, description) VALUES (99, 'future')");
        }
        assertThatThrownBy(() -> TestDatabase.broker(schema).build())
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("version 99")
                .hasMessageContaining("upgrade Ferry");
        assertThatThrownBy(() -> TestDatabase.broker(schema).migrate(false).build())
                .hasMessageContaining("version 99");
    }
}
