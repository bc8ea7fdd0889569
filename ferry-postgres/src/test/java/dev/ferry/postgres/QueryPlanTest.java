package dev.ferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hot statements read the indexes made for them, with many pending, scheduled and finished
 * tasks present: the claim reads task_ready in claim order and never scans the table, and
 * neither claims nor promotion nor recovery touch the history table.
 */
class QueryPlanTest {
    private static final String SCHEMA = TestDatabase.newSchema("plans");
    private static final String Q = "\"" + SCHEMA + "\"";

    @BeforeAll
    static void fill() throws Exception {
        TestDatabase.broker(SCHEMA).notify(false).build().close();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            // 20k pending and 20k future scheduled in one queue, 20k pending elsewhere, 50k finished.
            s.execute("INSERT INTO " + Q + ".task (id, queue, type, payload, priority, state, max_attempts, timeout_us,"
                    + " run_at, enqueued_at, retention_us, dead_retention_us)"
                    + " SELECT 'p' || g, CASE WHEN g % 2 = 0 THEN 'hot' ELSE 'other' END, 't', '{}', g % 100,"
                    + " 'PENDING', 3, 1, now(), now(), 1, 1 FROM generate_series(1, 40000) g");
            s.execute("INSERT INTO " + Q + ".task (id, queue, type, payload, priority, state, max_attempts, timeout_us,"
                    + " run_at, enqueued_at, retention_us, dead_retention_us)"
                    + " SELECT 's' || g, 'hot', 't', '{}', 50, 'SCHEDULED', 3, 1, now() + interval '1 day', now(), 1, 1"
                    + " FROM generate_series(1, 20000) g");
            s.execute("INSERT INTO " + Q + ".task_done (seq, id, queue, type, payload, priority, state, attempt,"
                    + " max_attempts, timeout_us, run_at, enqueued_at, finished_at, expires_at, errors, lease_expirations,"
                    + " cancel_requested, retention_us, dead_retention_us)"
                    + " SELECT g, 'd' || g, 'hot', 't', '{}', 50, 'COMPLETED', 1, 3, 1, now(), now(), now(),"
                    + " now() + interval '1 day', '[]', 0, false, 1, 1 FROM generate_series(1, 50000) g");
            s.execute("ANALYZE " + Q + ".task");
            s.execute("ANALYZE " + Q + ".task_done");
        }
    }

    @AfterAll
    static void drop() {
        TestDatabase.dropSchema(SCHEMA);
    }

    private static String plan(String statement, Binder binder) throws Exception {
        Sql sql = new Sql(Q, false);
        Sql.Statement st = sql.get(statement);
        List<String> lines = new ArrayList<>();
        try (Connection c = TestDatabase.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + st.jdbc())) {
                for (int i = 0; i < st.positions().size(); i++) {
                    binder.bind(ps, i + 1, st.positions().get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                }
            }
            c.rollback();
        }
        return String.join("\n", lines);
    }

    interface Binder {
        void bind(PreparedStatement ps, int index, String name) throws Exception;
    }

    @Test
    void aClaimReadsTheReadyIndexAndTheDueIndexNeverTheTable() throws Exception {
        String plan = plan("claim", (ps, i, name) -> {
            switch (name) {
                case "queue" -> ps.setString(i, "hot");
                case "worker" -> ps.setString(i, "w");
                case "max" -> ps.setInt(i, 50);
                case "window" -> ps.setInt(i, 1001);
                case "guard" -> ps.setBoolean(i, true);
                case "lease_us" -> ps.setLong(i, 30_000_000L);
                default -> throw new AssertionError(name);
            }
        });
        assertThat(plan).as(plan).contains("task_ready").contains("task_due_by_queue")
                .doesNotContain("Seq Scan on task ").doesNotContain("task_done");
    }

    @Test
    void batchedAcksAndRenewalsFindTheirRowsByIndex() throws Exception {
        String[] ids = new String[500];
        Long[] tokens = new Long[500];
        String[] results = new String[500];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "p" + (2 * i + 2);
            tokens[i] = 7L;
            results[i] = "{}";
        }
        Binder leases = (ps, i, name) -> {
            switch (name) {
                case "ids" -> ps.setArray(i, ps.getConnection().createArrayOf("text", ids));
                case "tokens" -> ps.setArray(i, ps.getConnection().createArrayOf("int8", tokens));
                case "results" -> ps.setArray(i, ps.getConnection().createArrayOf("text", results));
                case "lease_us" -> ps.setLong(i, 30_000_000L);
                case "count_stats" -> ps.setBoolean(i, true);
                default -> throw new AssertionError(name);
            }
        };
        // By primary key, or through the small index of active leases: never by scanning the table.
        String ack = plan("ack_complete", leases);
        assertThat(ack).as(ack).containsPattern("Index Scan using (task_pkey|task_lease) on task")
                .doesNotContain("Seq Scan on task ");
        String renew = plan("renew", leases);
        assertThat(renew).as(renew).containsPattern("Index Scan using (task_pkey|task_lease) on task")
                .doesNotContain("Seq Scan on task ");
    }

    @Test
    void promotionAndRecoveryReadTheirPartialIndexes() throws Exception {
        String promote = plan("promote", (ps, i, name) -> ps.setInt(i, 1000));
        assertThat(promote).as(promote).contains("task_due").doesNotContain("Seq Scan on task ");
        String recover = plan("recover_expired", (ps, i, name) -> ps.setInt(i, name.equals("limit") ? 1000 : 3));
        assertThat(recover).as(recover).contains("task_lease").doesNotContain("Seq Scan on task ");
        String prune = plan("prune_tasks", (ps, i, name) -> ps.setInt(i, 1000));
        assertThat(prune).as(prune).contains("task_done_expiry");
    }
}
