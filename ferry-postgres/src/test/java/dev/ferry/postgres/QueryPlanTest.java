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
 * tasks present: the claim reads task_ready in claim order and never scans the table, a fair
 * enqueue finds the head of a priority and a tenant's last position by index, and neither claims
 * nor promotion nor recovery touch the history table.
 */
class QueryPlanTest {
    private static final String SCHEMA = TestDatabase.newSchema("plans");
    private static final String Q = "\"" + SCHEMA + "\"";
    /** A schema whose statistics see one queue, one priority and one (heavy) tenant. */
    private static final String SKEWED = TestDatabase.newSchema("plans_skewed");

    @BeforeAll
    static void fill() throws Exception {
        TestDatabase.broker(SCHEMA).notify(false).build().close();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            // 20k pending and 20k future scheduled in one queue, 20k pending elsewhere, 50k finished,
            // 20k pending of 50 tenants (fair positions) in the first queue.
            s.execute("INSERT INTO " + Q + ".task (id, queue, type, payload, priority, state, max_attempts, timeout_us,"
                    + " run_at, enqueued_at, retention_us, dead_retention_us)"
                    + " SELECT 'p' || g, CASE WHEN g % 2 = 0 THEN 'hot' ELSE 'other' END, 't', '{}', g % 100,"
                    + " 'PENDING', 3, 1, now(), now(), 1, 1 FROM generate_series(1, 40000) g");
            s.execute("INSERT INTO " + Q + ".task (id, queue, type, payload, priority, state, max_attempts, timeout_us,"
                    + " run_at, enqueued_at, retention_us, dead_retention_us)"
                    + " SELECT 's' || g, 'hot', 't', '{}', 50, 'SCHEDULED', 3, 1, now() + interval '1 day', now(), 1, 1"
                    + " FROM generate_series(1, 20000) g");
            s.execute("INSERT INTO " + Q + ".task (id, queue, type, payload, priority, state, max_attempts, timeout_us,"
                    + " run_at, enqueued_at, retention_us, dead_retention_us, tenant, fair_at)"
                    + " SELECT 'f' || g, 'hot', 't', '{}', 50, 'PENDING', 3, 1, now(), now(), 1, 1, 'tenant-' || g % 50,"
                    + " now() + (g / 50) * interval '1 millisecond' FROM generate_series(1, 20000) g");
            s.execute("INSERT INTO " + Q + ".task_done (seq, id, queue, type, payload, priority, state, attempt,"
                    + " max_attempts, timeout_us, run_at, enqueued_at, finished_at, expires_at, errors, lease_expirations,"
                    + " cancel_requested, retention_us, dead_retention_us)"
                    + " SELECT g, 'd' || g, 'hot', 't', '{}', 50, 'COMPLETED', 1, 3, 1, now(), now(), now(),"
                    + " now() + interval '1 day', '[]', 0, false, 1, 1 FROM generate_series(1, 50000) g");
            TestDatabase.broker(SKEWED).notify(false).build().close();
            s.execute("INSERT INTO \"" + SKEWED + "\".task (id, queue, type, payload, priority, state, max_attempts, timeout_us,"
                    + " run_at, enqueued_at, retention_us, dead_retention_us, tenant, fair_at)"
                    + " SELECT 'h' || g, 'hot', 't', '{}', 50, 'PENDING', 3, 1, now(), now(), 1, 1, 'heavy',"
                    + " now() + g * interval '1 millisecond' FROM generate_series(1, 50000) g");
            s.execute("ANALYZE \"" + SKEWED + "\".task");
            s.execute("ANALYZE " + Q + ".task");
            s.execute("ANALYZE " + Q + ".task_done");
        }
    }

    @AfterAll
    static void drop() {
        TestDatabase.dropSchema(SCHEMA);
        TestDatabase.dropSchema(SKEWED);
    }

    private static String plan(String statement, Binder binder) throws Exception {
        return plan(Q, statement, binder);
    }

    private static String plan(String schema, String statement, Binder binder) throws Exception {
        Sql sql = new Sql(schema, false);
        Sql.Statement st = sql.get(statement);
        List<String> lines = new ArrayList<>();
        try (Connection c = TestDatabase.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // the plan a pooled connection keeps after five runs: parameters unknown
                s.execute("SET LOCAL plan_cache_mode = force_generic_plan");
            }
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
    void aFairEnqueueFindsTheHeadAndTheTenantsLastPositionByIndex() throws Exception {
        String plan = fairEnqueuePlan(Q);
        // the head: the first entry of task_ready; the tenant's last position: the end of task_tenant
        assertThat(plan).as(plan).contains("Index Scan using task_ready on task")
                .contains("Index Scan Backward using task_tenant on task")
                .doesNotContain("Seq Scan on task ").doesNotContain("task_done");
    }

    @Test
    void aFairEnqueueNextToOneHeavyTenantStillReadsTheTenantIndex() throws Exception {
        // Statistics that know one tenant make "tenant = ?" look like it matches every row: a
        // plan that walks task_ready backwards and filters would read the whole backlog for a
        // new tenant. The statement is written so that only task_tenant can answer it.
        String plan = fairEnqueuePlan("\"" + SKEWED + "\"");
        assertThat(plan).as(plan).contains("Index Scan Backward using task_tenant on task")
                .doesNotContain("Index Scan Backward using task_ready").doesNotContain("Seq Scan on task ");
    }

    private static String fairEnqueuePlan(String schema) throws Exception {
        int n = 100;
        List<String> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<String> tenants = new ArrayList<>();
        List<String> nulls = new ArrayList<>();
        List<Integer> ints = new ArrayList<>();
        List<Long> longs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("new" + i);
            texts.add("hot");
            tenants.add(i % 3 == 0 ? null : "tenant-" + i % 7);
            nulls.add(null);
            ints.add(50);
            longs.add(0L);
        }
        return plan(schema, "enqueue_fair", (ps, i, name) -> {
            Connection c = ps.getConnection();
            switch (name) {
                case "ids" -> ps.setArray(i, c.createArrayOf("text", ids.toArray()));
                case "queues", "types", "payloads" -> ps.setArray(i, c.createArrayOf("text", texts.toArray()));
                case "tenants" -> ps.setArray(i, c.createArrayOf("text", tenants.toArray()));
                case "run_ats", "unique_keys", "headers" -> ps.setArray(i, c.createArrayOf("text", nulls.toArray()));
                case "priorities", "max_attempts" -> ps.setArray(i, c.createArrayOf("int4", ints.toArray()));
                case "delays_us", "timeouts_us", "retentions_us", "dead_retentions_us" ->
                        ps.setArray(i, c.createArrayOf("int8", longs.toArray()));
                default -> throw new AssertionError(name);
            }
        });
    }

    @Test
    void listingPendingTasksReadsTheReadyIndexInClaimOrder() throws Exception {
        String plan = plan("list_pending", (ps, i, name) -> {
            switch (name) {
                case "state" -> ps.setString(i, "PENDING");
                case "queue" -> ps.setString(i, "hot");
                case "limit" -> ps.setInt(i, 51);
                case "offset" -> ps.setInt(i, 0);
                default -> throw new AssertionError(name);
            }
        });
        assertThat(plan).as(plan).contains("task_ready").doesNotContain("Seq Scan on task ");
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
