package dev.ferry.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.TaskState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot statements walk an index matching their order and filter, never the task table: that
 * is what keeps the cost of a claim, ack or prune flat however many tasks other queues or the
 * finished history hold. Checked on SQLite's query plans, not on timings.
 */
class QueryPlanTest {
    @TempDir
    Path dir;

    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        Settings settings = new Settings(dir.resolve("plan.db"), Clock.systemUTC(), false, Duration.ofSeconds(5),
                Duration.ofMillis(200), 1);
        c = Connections.openWriter(settings);
        Schema.createOrCheck(c);
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private String plan(String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                lines.add(rs.getString(4));
            }
        }
        return String.join("\n", lines);
    }

    @Test
    void claimWalksTheReadyIndexAloneInClaimOrder() throws SQLException {
        String plan = plan(Sql.CLAIM_PENDING);
        assertThat(plan).contains("COVERING INDEX ferry_task_ready (queue=?)").doesNotContain("TEMP B-TREE")
                .doesNotContain("SCAN ferry_task");
    }

    @Test
    void aQueueWithFairPositionsMergesBothIndexesWithoutReadingTheTable() throws SQLException {
        String plan = plan(Sql.CLAIM_PENDING_FAIR);
        assertThat(plan).contains("MERGE (UNION ALL)")
                .contains("COVERING INDEX ferry_task_ready (queue=?)")
                .contains("COVERING INDEX ferry_task_fair (queue=?)")
                .doesNotContain("TEMP B-TREE").doesNotContain("SCAN ferry_task");
    }

    @Test
    void aFairPositionIsThreeIndexSeeks() throws SQLException {
        assertThat(plan(Sql.FAIR_BOUNDS))
                .contains("ferry_task_ready (queue=? AND priority=?)")
                .contains("ferry_task_fair (queue=? AND priority=?")
                .contains("ferry_task_tenant (queue=? AND priority=? AND tenant=?)")
                .doesNotContain("TEMP B-TREE").doesNotContain("SCAN ferry_task");
    }

    @Test
    void dueTasksAreFoundThroughTheDueIndex() throws SQLException {
        assertThat(plan(Sql.CLAIM_SHAPE)).contains("ferry_task_due (queue=? AND run_at<?)")
                .contains("ferry_task_fair (queue=?)").doesNotContain("SCAN ferry_task");
        assertThat(plan(Sql.DUE_OF_QUEUE)).contains("ferry_task_due (queue=? AND run_at<?)");
        assertThat(plan(Sql.READY_OR_DUE_OF_QUEUE)).contains("ferry_task_ready").contains("ferry_task_due")
                .doesNotContain("SCAN ferry_task");
        assertThat(plan(Sql.READY_FAIR_OR_DUE_OF_QUEUE)).contains("ferry_task_ready").contains("ferry_task_fair")
                .contains("ferry_task_due").doesNotContain("SCAN ferry_task");
    }

    @Test
    void fencedCallsFindTheTaskByIdAndUpdateByRowid() throws SQLException {
        assertThat(plan(Sql.FENCE)).contains("USING INDEX sqlite_autoindex_ferry_task_1 (id=?)");
        assertThat(plan(Sql.ACK_COMPLETED_FENCED)).contains("USING INDEX sqlite_autoindex_ferry_task_1 (id=?)");
        assertThat(plan(Sql.RENEW_FENCED)).contains("USING INDEX sqlite_autoindex_ferry_task_1 (id=?)");
        assertThat(plan(Sql.ACK_RETRY)).contains("USING INTEGER PRIMARY KEY (rowid=?)");
    }

    @Test
    void maintenanceWalksOnlyExpiredRows() throws SQLException {
        assertThat(plan(Sql.EXPIRED_LEASES)).contains("ferry_task_lease (lease_expires_at<?)").doesNotContain("TEMP B-TREE");
        assertThat(plan(Sql.PRUNABLE)).contains("ferry_task_expiry (expires_at<?)").doesNotContain("TEMP B-TREE");
    }

    @Test
    void statsAndListsOfAQueueUseIndexes() throws SQLException {
        assertThat(plan(Sql.OLDEST_PENDING)).contains("ferry_task_fair_age (queue=?)").doesNotContain("SCAN ferry_task")
                .doesNotContain("TEMP B-TREE");
        assertThat(plan(Sql.list(TaskState.PENDING, true))).contains("ferry_task_ready").contains("ferry_task_fair")
                .doesNotContain("TEMP B-TREE");
        assertThat(plan(Sql.list(TaskState.SCHEDULED, true))).contains("ferry_task_due").doesNotContain("TEMP B-TREE");
        assertThat(plan(Sql.list(TaskState.COMPLETED, true))).contains("ferry_task_finished").doesNotContain("TEMP B-TREE");
        assertThat(plan(Sql.purge(TaskState.DEAD))).contains("ferry_task_finished");
    }
}
