package dev.ferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import dev.ferry.testing.ManualClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What is particular to the PostgreSQL broker, beyond the shared contracts. */
class PostgresBrokerTest {
    private final String schema = TestDatabase.newSchema("pgbroker");
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        TestDatabase.dropSchema(schema);
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private static NewTask task(String queue, int priority, Duration delay) {
        return new NewTask("t-" + UUID.randomUUID(), queue, "pg.task", "{}", priority, delay, null, 3,
                Duration.ofSeconds(30), null, null, Duration.ofHours(1), Duration.ofDays(7), Map.of());
    }

    private long count(String sql) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aClaimOfSeveralQueuesKeepsClaimOrderBehindAFullDueWindowToo() {
        ManualClock clock = new ManualClock();
        PostgresBroker broker = track(TestDatabase.broker(schema).clock(clock).build());
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 1; i <= 1_200; i++) {
            tasks.add(task("pile", 50, Duration.ofMillis(i)));
        }
        NewTask urgentButLastDue = task("pile", 0, Duration.ofMillis(1_500));
        tasks.add(urgentButLastDue);
        broker.enqueue(new EnqueueRequest(tasks));
        clock.advance(Duration.ofSeconds(2));

        // Several queues: one transaction (not the single-statement path of a one-queue claim).
        List<ClaimedTask> claimed = broker.claim(new ClaimRequest("w", List.of("empty", "pile"), 2,
                Duration.ofSeconds(30))).tasks();

        assertThat(claimed).extracting(ClaimedTask::id).containsExactly(urgentButLastDue.id(), tasks.get(0).id());
    }

    @Test
    void permitsRunOnTheDatabaseClock() {
        PostgresBroker broker = track(TestDatabase.broker(schema).build());
        PermitOp take = new PermitOp.Take("db-clock", 1, Duration.ofHours(1), 1);
        Instant before = Instant.now().minusSeconds(5);
        List<PermitResponse.Result> results = broker.permits(new PermitRequest(List.of(take, take))).results();
        assertThat(results.get(0).granted()).isTrue();
        assertThat(results.get(1).granted()).isFalse();
        assertThat(results.get(1).retryAt()).isBetween(before.plus(Duration.ofHours(1)),
                Instant.now().plusSeconds(5).plus(Duration.ofHours(1)));
        assertThat(results.get(1).retryAt().getNano() % 1_000_000).as("whole milliseconds").isZero();

        PermitOp acquire = new PermitOp.Acquire("db-sem", 1, "h1", Duration.ofMinutes(1));
        assertThat(broker.permits(new PermitRequest(List.of(acquire))).results().get(0).granted()).isTrue();
        PermitResponse.Result denied = broker.permits(new PermitRequest(List.of(
                new PermitOp.Acquire("db-sem", 1, "h2", Duration.ofMinutes(1))))).results().get(0);
        assertThat(denied.granted()).isFalse();
        assertThat(denied.retryAt()).isAfter(before.plus(Duration.ofMinutes(1)));
        assertThat(broker.permits(new PermitRequest(List.of(new PermitOp.Release("db-sem", "h1")))).results().get(0)
                .granted()).isTrue();
    }

    @Test
    void anEnqueueInOneBrokerWakesAWaiterOfAnotherThroughNotify() throws Exception {
        PostgresBroker a = track(TestDatabase.broker(schema).build());
        PostgresBroker b = track(TestDatabase.broker(schema).build());
        assertThat(a.capabilities().pushWakeup()).isTrue();
        assertThat(b.isListening()).as("listening once built").isTrue();

        Waiter waiter = Waiter.start(b, "q", Duration.ofSeconds(30));
        a.enqueue(new EnqueueRequest(List.of(task("q", 50, Duration.ZERO))));

        assertThat(waiter.result().get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void withNotifyOffNothingListensAndWorkersFindWorkByPolling() throws Exception {
        PostgresBroker producer = track(TestDatabase.broker(schema).notify(false).build());
        PostgresBroker consumer = track(TestDatabase.broker(schema).notify(false).build());
        assertThat(consumer.capabilities().pushWakeup()).isFalse();
        assertThat(consumer.isListening()).isFalse();
        assertThat(count("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN ferry_wake_" + schema + "%'"))
                .isZero();

        Ferry consumerSide = track(Ferry.builder().broker(consumer).build());
        Set<String> ran = ConcurrentHashMap.newKeySet();
        consumerSide.worker().pollInterval(Duration.ofMillis(100))
                .handle("pg.poll", Map.class, (payload, ctx) -> {
                    ran.add(ctx.id());
                    return null;
                }).start();
        Ferry producerSide = track(Ferry.builder().broker(producer).build());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(producerSide.client().enqueue(Task.ofJson("pg.poll", "{\"i\":" + i + "}")).id());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ran.containsAll(ids));
        assertThat(consumerSide.inspector().queue("default").count(TaskState.COMPLETED)).isEqualTo(20);
    }

    @Test
    void aLostListenConnectionIsReopenedAndWakeUpsWorkAgain() throws Exception {
        PostgresBroker a = track(TestDatabase.broker(schema).build());
        PostgresBroker b = track(TestDatabase.broker(schema).build());
        String listen = "LISTEN ferry_wake_" + schema;
        assertThat(count("SELECT count(*) FROM pg_stat_activity WHERE query = '" + listen + "'")).isEqualTo(2);

        long killed = count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = '" + listen + "'");
        assertThat(killed).isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                count("SELECT count(*) FROM pg_stat_activity WHERE query = '" + listen + "'") == 2
                        && a.isListening() && b.isListening());

        Waiter waiter = Waiter.start(b, "again", Duration.ofSeconds(30));
        a.enqueue(new EnqueueRequest(List.of(task("again", 50, Duration.ZERO))));
        assertThat(waiter.result().get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void claimOrderStaysExactWhenMoreDueTasksPiledUpThanAClaimMerges() {
        ManualClock clock = new ManualClock();
        PostgresBroker broker = track(TestDatabase.broker(schema).clock(clock).build());
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 1; i <= 1_200; i++) {
            tasks.add(task("pile", 50, Duration.ofMillis(i)));
        }
        NewTask urgentButLastDue = task("pile", 0, Duration.ofMillis(1_500));
        tasks.add(urgentButLastDue);
        broker.enqueue(new EnqueueRequest(tasks));
        clock.advance(Duration.ofSeconds(2)); // all 1,201 due, none promoted

        List<ClaimedTask> claimed = broker.claim(new ClaimRequest("w", List.of("pile"), 3, Duration.ofSeconds(30))).tasks();

        assertThat(claimed).extracting(ClaimedTask::id)
                .containsExactly(urgentButLastDue.id(), tasks.get(0).id(), tasks.get(1).id());
    }

    @Test
    void finishedTasksLeaveTheHotTableInTheTransactionThatFinishesThem() throws Exception {
        PostgresBroker broker = track(TestDatabase.broker(schema).build());
        Ferry ferry = track(Ferry.builder().broker(broker).build());
        for (int i = 0; i < 50; i++) {
            ferry.client().enqueue(Task.ofJson("pg.done", "{}"));
        }
        ferry.worker().pollInterval(Duration.ofMillis(50)).handle("pg.done", Map.class, (p, ctx) -> null).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> ferry.inspector().queue("default").count(TaskState.COMPLETED) == 50);

        assertThat(count("SELECT count(*) FROM \"" + schema + "\".task")).as("rows left in the hot table").isZero();
        assertThat(count("SELECT count(*) FROM \"" + schema + "\".task_done")).isEqualTo(50);
    }

    @Test
    void timeComesFromTheDatabaseClock() throws Exception {
        PostgresBroker broker = track(TestDatabase.broker(schema).build());
        Instant before = dbNow();
        String id = broker.enqueue(new EnqueueRequest(List.of(task("clock", 50, Duration.ofHours(1)))))
                .results().get(0).id();
        Instant after = dbNow();

        TaskInfo t = broker.get(id).orElseThrow();
        assertThat(t.enqueuedAt()).isBetween(before, after);
        assertThat(t.runAt()).isEqualTo(t.enqueuedAt().plus(Duration.ofHours(1)));
        assertThat(t.state()).isEqualTo(TaskState.SCHEDULED);
    }

    private static Instant dbNow() throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            Timestamp ts = rs.getTimestamp(1);
            return ts.toInstant();
        }
    }

    /** The query docs/postgres.md gives for KEDA's postgresql scaler, verbatim but for the schema. */
    private long kedaReadyCount(String queue) throws SQLException {
        return count(("SELECT count(*) FROM ferry.task"
                + " WHERE queue = 'QUEUE'"
                + "   AND (state = 'PENDING' OR (state IN ('SCHEDULED', 'RETRYING') AND run_at <= now()))"
                + "   AND NOT EXISTS (SELECT 1 FROM ferry.queue WHERE name = 'QUEUE' AND paused)")
                .replace("ferry.", "\"" + schema + "\".").replace("QUEUE", queue));
    }

    @Test
    void theDocumentedKedaQueryCountsReadyTasksIncludingDueDelayedOnes() throws Exception {
        PostgresBroker broker = track(TestDatabase.broker(schema).build());
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(task("k", 50, Duration.ZERO));
        }
        tasks.add(task("k", 50, Duration.ofHours(1)));
        tasks.add(task("k", 50, Duration.ofHours(2)));
        tasks.add(task("elsewhere", 50, Duration.ZERO));
        NewTask alreadyDue = new NewTask("t-due", "k", "pg.task", "{}", 50, Duration.ZERO,
                Instant.now().plus(Duration.ofMillis(300)), 3, Duration.ofSeconds(30), null, null,
                Duration.ofHours(1), Duration.ofDays(7), Map.of());
        tasks.add(alreadyDue);
        broker.enqueue(new EnqueueRequest(tasks));
        assertThat(broker.get("t-due").orElseThrow().state()).isEqualTo(TaskState.SCHEDULED);
        // One claimed (not ready), one failed with a retry due at once (ready again).
        List<ClaimedTask> two = broker.claim(new ClaimRequest("w", List.of("k"), 2, Duration.ofMinutes(1))).tasks();
        broker.ack(new dev.ferry.spi.AckRequest(List.of(new dev.ferry.spi.Ack(two.get(1).lease(),
                new dev.ferry.spi.Outcome.Retry(Duration.ZERO, null)))));

        // 1 pending + 1 retrying due now + the scheduled task once its run-at passed (not promoted).
        await().atMost(Duration.ofSeconds(10)).until(() -> kedaReadyCount("k") == 3);
        assertThat(broker.get("t-due").orElseThrow().state()).as("still not promoted").isEqualTo(TaskState.SCHEDULED);
        assertThat(kedaReadyCount("elsewhere")).isEqualTo(1);

        broker.admin(new dev.ferry.spi.AdminCommand.Pause("k"));
        assertThat(kedaReadyCount("k")).as("a paused queue scales nothing").isZero();
    }

    @Test
    void aLargeBatchIsOneRequestAndKeepsItsOrder() {
        PostgresBroker broker = track(TestDatabase.broker(schema).build());
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            tasks.add(task("big", 50, Duration.ZERO));
        }
        assertThat(broker.enqueue(new EnqueueRequest(tasks)).results()).allMatch(r -> r.created());

        List<ClaimedTask> first = broker.claim(new ClaimRequest("w", List.of("big"), 100, Duration.ofSeconds(30))).tasks();
        assertThat(first).extracting(ClaimedTask::id)
                .containsExactlyElementsOf(tasks.subList(0, 100).stream().map(NewTask::id).toList());
    }

    @Test
    void theUpkeepAnalyzesTheHotTableOnceItOutgrewItsStatisticsTenfold() throws Exception {
        PostgresBroker broker = track(TestDatabase.broker(schema).build());
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            // only Ferry may bring the statistics up to date in this test
            s.execute("ALTER TABLE \"" + schema + "\".task SET (autovacuum_enabled = false)");
        }
        String reltuples = "SELECT greatest(reltuples, 0)::int8 FROM pg_class WHERE oid = '\"" + schema + "\".task'::regclass";
        broker.promote(new PromoteRequest(100));
        assertThat(count(reltuples)).as("a new table has no statistics").isZero();

        for (int batch = 0; batch < 5; batch++) {
            List<NewTask> tasks = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                tasks.add(task("grown", 50, Duration.ZERO));
            }
            broker.enqueue(new EnqueueRequest(tasks));
        }

        // statistics reach n_live_tup within about a second; promote checks every two seconds
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            broker.promote(new PromoteRequest(100));
            return count(reltuples) >= 20_000;
        });
    }

    private static NewTask tenantTask(String id, String tenant, Duration delay, Instant runAt) {
        return new NewTask(id, "fair", "pg.task", "{}", 50, delay, runAt, 3, Duration.ofSeconds(30), null, null,
                Duration.ofHours(1), Duration.ofDays(7), tenant == null ? Map.of() : Map.of(Task.TENANT_HEADER, tenant));
    }

    /** tenant and fair_at of each task of the hot table, by id: "id:tenant:fair position set?". */
    private List<String> fairColumns() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, tenant, fair_at IS NOT NULL FROM \"" + schema + "\".task ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + ":" + rs.getString(2) + ":" + rs.getBoolean(3));
            }
        }
        return rows;
    }

    @Test
    void aFairPositionIsHeldOnlyByTenantedTasksPendingFromEnqueue() throws Exception {
        ManualClock clock = new ManualClock();
        PostgresBroker broker = track(TestDatabase.broker(schema).clock(clock).build());
        broker.enqueue(new EnqueueRequest(List.of(tenantTask("1-plain", null, null, null),
                tenantTask("2-acme", "acme", null, null), tenantTask("3-acme-later", "acme", Duration.ofSeconds(1), null))));
        // untenanted rows keep both columns NULL (no entry in task_tenant); a delayed one has no position
        assertThat(fairColumns()).containsExactly("1-plain:null:false", "2-acme:acme:true", "3-acme-later:acme:false");

        List<ClaimedTask> claimed = broker.claim(new ClaimRequest("w", List.of("fair"), 2, Duration.ofSeconds(30))).tasks();
        assertThat(claimed).extracting(ClaimedTask::id).containsExactly("1-plain", "2-acme");
        assertThat(fairColumns()).as("cleared by the claim").contains("2-acme:acme:false");

        // a dead task replayed from task_done gets its tenant back from its header, and no position
        broker.ack(new dev.ferry.spi.AckRequest(List.of(new dev.ferry.spi.Ack(claimed.get(1).lease(),
                new dev.ferry.spi.Outcome.Dead(dev.ferry.DeadReason.UNPROCESSABLE, null)))));
        assertThat(broker.admin(new dev.ferry.spi.AdminCommand.Retry("2-acme")).affected()).isEqualTo(1);
        assertThat(fairColumns()).contains("2-acme:acme:false");
    }

    @Test
    void eachTaskOfABatchSeesTheEarlierOnesEvenAPastRunAtAheadOfTheRound() {
        ManualClock clock = new ManualClock();
        PostgresBroker broker = track(TestDatabase.broker(schema).clock(clock).build());
        broker.enqueue(new EnqueueRequest(List.of(tenantTask("b1", "b", null, null), tenantTask("b2", "b", null, null))));

        // The untenanted task with a past run-at becomes the head of the priority, and acme, placed
        // after it in the same batch, joins the round there: before b's tasks, not behind b1.
        broker.enqueue(new EnqueueRequest(List.of(tenantTask("old", null, null, clock.instant().minusSeconds(5)),
                tenantTask("acme", "acme", null, null))));

        assertThat(broker.claim(new ClaimRequest("w", List.of("fair"), 4, Duration.ofSeconds(30))).tasks())
                .extracting(ClaimedTask::id).containsExactly("old", "acme", "b1", "b2");
    }
}
