package dev.ferry.embedded;

import static dev.ferry.embedded.Fixtures.raw;
import static dev.ferry.embedded.Fixtures.task;
import static dev.ferry.embedded.Fixtures.withDelay;
import static dev.ferry.embedded.Fixtures.withHeaders;
import static dev.ferry.embedded.Fixtures.withMaxAttempts;
import static dev.ferry.embedded.Fixtures.withType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.BrokerException;
import dev.ferry.DeadReason;
import dev.ferry.EnqueueResult;
import dev.ferry.QueueStats;
import dev.ferry.Task;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the embedded broker promises beyond the conformance suite: a file that keeps its word. */
class EmbeddedBrokerTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();

    private EmbeddedBroker open(Path file) {
        return EmbeddedBroker.builder(file).clock(clock).build();
    }

    private static List<ClaimedTask> claim(EmbeddedBroker broker, String queue, int max) {
        return broker.claim(new ClaimRequest("w", List.of(queue), max, LEASE)).tasks();
    }

    @Test
    void reopeningTheFileKeepsTasksLeasesAndCounters() {
        Path file = dir.resolve("ferry.db");
        List<String> ids = new ArrayList<>();
        ClaimedTask held;
        TaskInfo before;
        try (EmbeddedBroker broker = open(file)) {
            for (int i = 0; i < 5; i++) {
                NewTask t = task("q");
                ids.add(t.id());
                broker.enqueue(new EnqueueRequest(List.of(t)));
            }
            List<ClaimedTask> claimed = claim(broker, "q", 2);
            broker.ack(new AckRequest(List.of(new Ack(claimed.get(0).lease(), new Outcome.Completed("{\"ok\":1}")))));
            held = claimed.get(1);
            broker.admin(new AdminCommand.Pause("q"));
            before = broker.get(held.id()).orElseThrow();
        }

        try (EmbeddedBroker broker = open(file)) {
            assertThat(ids).allSatisfy(id -> assertThat(broker.get(id)).isPresent());
            assertThat(broker.get(ids.get(0)).orElseThrow().resultJson()).isEqualTo("{\"ok\":1}");
            assertThat(broker.get(held.id())).contains(before);
            QueueStats s = broker.stats(List.of("q")).get(0);
            assertThat(s.paused()).isTrue();
            assertThat(s.count(TaskState.PENDING)).isEqualTo(3);
            assertThat(s.count(TaskState.ACTIVE)).isEqualTo(1);
            assertThat(s.count(TaskState.COMPLETED)).isEqualTo(1);
            assertThat(s.processedTotal()).isEqualTo(1);
            // The lease taken before the restart still fences correctly after it.
            assertThat(broker.ack(new AckRequest(List.of(new Ack(held.lease(), new Outcome.Completed(null)))))
                    .rejected()).isEmpty();
        }
    }

    @Test
    void fencingTokensAreNeverReusedAcrossReopens() {
        Path file = dir.resolve("ferry.db");
        NewTask t = withMaxAttempts(task("q"), 100);
        Set<Long> tokens = new HashSet<>();
        try (EmbeddedBroker broker = open(file)) {
            broker.enqueue(new EnqueueRequest(List.of(t)));
        }
        for (int round = 0; round < 3; round++) {
            try (EmbeddedBroker broker = open(file)) {
                ClaimedTask c = claim(broker, "q", 1).get(0);
                assertThat(tokens.add(c.lease().token())).as("token %s is fresh", c.lease().token()).isTrue();
                clock.advance(LEASE);
                assertThat(broker.recoverExpired(new RecoverRequest(100, 10)).requeued()).isEqualTo(1);
            }
            // Deleting and re-enqueueing the same id must not restart the tokens either.
            try (EmbeddedBroker broker = open(file)) {
                assertThat(broker.admin(new AdminCommand.Delete(t.id())).affected()).isEqualTo(1);
                broker.enqueue(new EnqueueRequest(List.of(t)));
            }
        }
    }

    @Test
    void theMaintainedCountsMatchARecountAfterEveryKindOfChange() throws SQLException {
        Path file = dir.resolve("ferry.db");
        try (EmbeddedBroker broker = open(file)) {
            List<NewTask> tasks = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                NewTask t = task(i % 2 == 0 ? "a" : "b");
                if (i % 5 == 0) {
                    t = withDelay(t, Duration.ofSeconds(i));
                }
                tasks.add(t);
            }
            tasks.add(tasks.get(3)); // a duplicate id changes nothing
            broker.enqueue(new EnqueueRequest(tasks));
            clock.advance(Duration.ofSeconds(10));
            List<ClaimedTask> a = claim(broker, "a", 12);
            List<ClaimedTask> b = claim(broker, "b", 12);
            TaskError err = new TaskError(1, "X", "boom", "", clock.instant());
            List<Ack> acks = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                Outcome o = switch (i % 5) {
                    case 0 -> new Outcome.Completed("{}");
                    case 1 -> new Outcome.Retry(Duration.ofSeconds(5), err);
                    case 2 -> new Outcome.Snooze(Duration.ofSeconds(5));
                    case 3 -> new Outcome.Dead(DeadReason.POISON, err);
                    default -> new Outcome.Cancelled();
                };
                acks.add(new Ack(a.get(i).lease(), o));
            }
            broker.ack(new AckRequest(acks));
            broker.admin(new AdminCommand.Cancel(tasks.get(1).id()));
            broker.admin(new AdminCommand.Delete(tasks.get(2).id()));
            clock.advance(LEASE);
            broker.recoverExpired(new RecoverRequest(1, 100)); // b's leases: all poison
            broker.admin(new AdminCommand.ReplayDead("b"));
            broker.promote(new PromoteRequest(3));
            broker.admin(new AdminCommand.Retry(a.get(3).id()));
            broker.admin(new AdminCommand.Purge("a", EnumSet.of(TaskState.SCHEDULED, TaskState.CANCELLED)));
            clock.advance(Duration.ofHours(2));
            broker.prune(new PruneRequest(1000));
            assertThat(b).isNotEmpty();

            Map<String, Map<TaskState, Long>> recount = recount(file);
            for (QueueStats s : broker.stats(List.of())) {
                Map<TaskState, Long> expected = recount.getOrDefault(s.queue(), Map.of());
                for (TaskState state : TaskState.values()) {
                    assertThat(s.count(state)).as("%s %s", s.queue(), state).isEqualTo(expected.getOrDefault(state, 0L));
                }
            }
            assertThat(broker.stats(List.of())).extracting(QueueStats::queue).containsExactly("a", "b");
        }
    }

    private static Map<String, Map<TaskState, Long>> recount(Path file) throws SQLException {
        Map<String, Map<TaskState, Long>> out = new HashMap<>();
        try (Connection c = raw(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT queue, state, count(*) FROM ferry_task GROUP BY queue, state")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), q -> new HashMap<>())
                        .put(TaskState.valueOf(rs.getString(2)), rs.getLong(3));
            }
        }
        return out;
    }

    @Test
    void oneTaskEnqueuesFromManyThreadsAreAllStored() throws Exception {
        int threads = 8;
        int perThread = 250;
        try (EmbeddedBroker broker = open(dir.resolve("ferry.db"));
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    List<String> ids = new ArrayList<>();
                    for (int k = 0; k < perThread; k++) {
                        EnqueueResult r = broker.enqueue(new EnqueueRequest(List.of(task("q")))).results().get(0);
                        assertThat(r.created()).isTrue();
                        ids.add(r.id());
                    }
                    return ids;
                }));
            }
            start.countDown();
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(all).hasSize(threads * perThread).doesNotHaveDuplicates();
            assertThat(broker.stats(List.of("q")).get(0).count(TaskState.PENDING)).isEqualTo(threads * perThread);
            assertThat(all).allSatisfy(id -> assertThat(broker.get(id)).isPresent());
        }
    }

    @Test
    void aFailingOperationFailsAloneWhileTheOthersOfItsGroupCommit() throws Exception {
        try (EmbeddedBroker broker = open(dir.resolve("ferry.db"));
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> good = new ArrayList<>();
            List<Future<?>> bad = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean invalid = i % 10 == 0;
                // A task without a type violates a NOT NULL constraint inside the transaction.
                NewTask t = invalid ? withType(task("q"), null) : task("q");
                (invalid ? bad : good).add(pool.submit(() -> {
                    start.await();
                    return broker.enqueue(new EnqueueRequest(List.of(t)));
                }));
            }
            start.countDown();
            for (Future<?> f : good) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (Future<?> f : bad) {
                assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                        .cause().isInstanceOf(BrokerException.class)
                        .hasMessageContaining("NOT NULL")
                        .satisfies(e -> assertThat(((BrokerException) e).isTransient()).isFalse());
            }
            assertThat(broker.stats(List.of("q")).get(0).count(TaskState.PENDING)).isEqualTo(180);
        }
    }

    @Test
    void anEnqueueWakesAWaiterOfItsQueueAtOnceAndNoOther() throws Exception {
        // A poll interval far longer than the test: only the in-process signal can end these waits.
        EmbeddedBroker broker = EmbeddedBroker.builder(dir.resolve("ferry.db")).clock(clock)
                .pollInterval(Duration.ofHours(1)).build();
        CompletableFuture<Boolean> other;
        try {
            other = waitInBackground(broker, "other");
            CompletableFuture<Boolean> mine = waitInBackground(broker, "q");

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                broker.enqueue(new EnqueueRequest(List.of(task("q"))));
                return mine.isDone();
            });

            assertThat(mine.get()).isTrue();
            assertThat(other).isNotDone();
        } finally {
            broker.close();
        }
        assertThat(other).as("close releases the other waiter").succeedsWithin(Duration.ofSeconds(5)).isEqualTo(false);
    }

    private static CompletableFuture<Boolean> waitInBackground(EmbeddedBroker broker, String queue) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(broker.awaitWork(new AwaitRequest(List.of(queue), Duration.ofHours(1))));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailClearly() {
        EmbeddedBroker broker = open(dir.resolve("ferry.db"));
        broker.close();
        broker.close();

        assertThatThrownBy(() -> broker.enqueue(new EnqueueRequest(List.of(task("q")))))
                .isInstanceOf(BrokerException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> broker.stats(List.of()))
                .isInstanceOf(BrokerException.class).hasMessageContaining("closed");
    }

    @Test
    void theFileIsInWalModeWithAVersionedSchema() throws SQLException {
        Path file = dir.resolve("ferry.db");
        open(file).close();

        try (Connection c = raw(file); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
            try (ResultSet rs = st.executeQuery("SELECT max(version) FROM ferry_schema")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
        }
    }

    @Test
    void aVersionOneFileIsUpgradedInPlaceKeepingItsTasks() throws SQLException {
        Path file = dir.resolve("ferry.db");
        String id;
        try (EmbeddedBroker broker = open(file)) {
            id = broker.enqueue(new EnqueueRequest(List.of(task("q")))).results().get(0).id();
        }
        // What a file written before version 2 looks like: no flow-control or record tables.
        try (Connection c = raw(file); Statement st = c.createStatement()) {
            downgradeTasksToVersion2(st);
            st.execute("DROP TABLE ferry_bucket");
            st.execute("DROP TABLE ferry_semaphore");
            st.execute("DROP TABLE ferry_record");
            st.execute("DELETE FROM ferry_schema");
            st.execute("INSERT INTO ferry_schema (version) VALUES (1)");
        }

        try (EmbeddedBroker broker = open(file)) {
            assertThat(broker.get(id)).isPresent();
            assertThat(broker.records(new RecordCommand.Put("cron", "k", "{}", false)).count()).isEqualTo(1);
            assertThat(broker.permits(new PermitRequest(List.of(new PermitOp.Take("b", 1, Duration.ofSeconds(1), 1))))
                    .results().get(0).granted()).isTrue();
        }
        try (Connection c = raw(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM ferry_schema")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
    }

    private static NewTask tenanted(String queue, String tenant) {
        return withHeaders(task(queue), Map.of(Task.TENANT_HEADER, tenant));
    }

    private static List<String> ids(List<NewTask> tasks) {
        return tasks.stream().map(NewTask::id).toList();
    }

    @Test
    void aTenantTaskPendingAgainAfterRetryOrCancelIsPlacedByItsRunAt() {
        try (EmbeddedBroker broker = open(dir.resolve("ferry.db"))) {
            // Fair positions now, now + 1 ms, now + 2 ms; then two of them leave PENDING.
            List<NewTask> a = List.of(tenanted("q", "a"), tenanted("q", "a"), tenanted("q", "a"));
            broker.enqueue(new EnqueueRequest(a));
            ClaimedTask first = claim(broker, "q", 1).get(0);
            broker.admin(new AdminCommand.Cancel(a.get(1).id()));
            clock.advance(Duration.ofMillis(10));

            broker.ack(new AckRequest(List.of(new Ack(first.lease(), new Outcome.Retry(Duration.ZERO, null)))));
            assertThat(broker.promote(new PromoteRequest(10)).promoted()).isEqualTo(1);
            broker.admin(new AdminCommand.Retry(a.get(1).id()));

            // Both are back at run-at now (+10 ms), behind the untouched one, not at their old places.
            assertThat(claim(broker, "q", 3)).extracting(ClaimedTask::id)
                    .containsExactly(a.get(2).id(), a.get(0).id(), a.get(1).id());
        }
    }

    @Test
    void aDueScheduledTaskIsMergedWithFairPositionsByItsRunAt() {
        try (EmbeddedBroker broker = open(dir.resolve("ferry.db"))) {
            NewTask scheduled = withDelay(task("q"), Duration.ofMillis(1));
            List<NewTask> a = List.of(tenanted("q", "a"), tenanted("q", "a"), tenanted("q", "a"));
            broker.enqueue(new EnqueueRequest(List.of(scheduled)));
            broker.enqueue(new EnqueueRequest(a)); // fair positions now, now + 1 ms, now + 2 ms
            clock.advance(Duration.ofMillis(1));

            // Due but not promoted: the claim merges it at run-at now + 1 ms, before a's task
            // there by sequence.
            assertThat(claim(broker, "q", 4)).extracting(ClaimedTask::id)
                    .containsExactly(a.get(0).id(), scheduled.id(), a.get(1).id(), a.get(2).id());
        }
    }

    @Test
    void theOldestPendingRunAtCountsFairlyPlacedTasks() {
        try (EmbeddedBroker broker = open(dir.resolve("ferry.db"))) {
            Instant start = clock.instant();
            broker.enqueue(new EnqueueRequest(List.of(task("q"))));
            clock.advance(Duration.ofMinutes(1));
            // Pending at once with a run-at an hour back, but placed at the head's position.
            NewTask backdated = tenanted("q", "a");
            backdated = new NewTask(backdated.id(), "q", backdated.type(), backdated.payloadJson(), 50, null,
                    start.minus(Duration.ofHours(1)), 3, Duration.ofSeconds(30), null, null, Duration.ofHours(1),
                    Duration.ofDays(7), backdated.headers());
            broker.enqueue(new EnqueueRequest(List.of(backdated)));

            QueueStats stats = broker.stats(List.of("q")).get(0);
            assertThat(stats.count(TaskState.PENDING)).isEqualTo(2);
            assertThat(stats.oldestPendingAt()).isEqualTo(start.minus(Duration.ofHours(1)));
            assertThat(broker.list(new ListRequest("q", TaskState.PENDING, 0, 10)).tasks())
                    .extracting(TaskInfo::id).endsWith(backdated.id());
        }
    }

    @Test
    void tenantsOfABatchAreInterleavedWithTasksWithoutATenantByPosition() {
        try (EmbeddedBroker broker = open(dir.resolve("ferry.db"))) {
            // A plain task between tenanted ones flushes the insert batch; positions still see it.
            List<NewTask> batch = List.of(tenanted("q", "a"), tenanted("q", "a"), task("q"), tenanted("q", "b"),
                    tenanted("q", "a"));
            assertThat(broker.enqueue(new EnqueueRequest(batch)).results())
                    .extracting(EnqueueResult::status).containsOnly(EnqueueResult.Status.CREATED);

            // Positions: a now, a now+1, plain now, b now, a now+2; ties by sequence.
            assertThat(claim(broker, "q", 5)).extracting(ClaimedTask::id).containsExactlyElementsOf(
                    ids(List.of(batch.get(0), batch.get(2), batch.get(3), batch.get(1), batch.get(4))));
        }
    }

    /** What the task table of a file written before version 3 looks like: no fair claim order. */
    private static void downgradeTasksToVersion2(Statement st) throws SQLException {
        for (String index : List.of("ferry_task_ready", "ferry_task_fair", "ferry_task_tenant", "ferry_task_fair_age")) {
            st.execute("DROP INDEX " + index);
        }
        st.execute("ALTER TABLE ferry_task DROP COLUMN tenant");
        st.execute("ALTER TABLE ferry_task DROP COLUMN fair_at");
        st.execute("CREATE INDEX ferry_task_ready ON ferry_task (queue, priority, run_at, seq) WHERE state = 'PENDING'");
    }

    @Test
    void aVersionTwoFileIsUpgradedInPlaceKeepingItsClaimOrder() throws SQLException {
        Path file = dir.resolve("ferry.db");
        List<String> old = new ArrayList<>();
        try (EmbeddedBroker broker = open(file)) {
            for (int i = 0; i < 3; i++) {
                old.add(broker.enqueue(new EnqueueRequest(List.of(task("q")))).results().get(0).id());
                clock.advance(Duration.ofMillis(1));
            }
        }
        try (Connection c = raw(file); Statement st = c.createStatement()) {
            downgradeTasksToVersion2(st);
            st.execute("DELETE FROM ferry_schema");
            st.execute("INSERT INTO ferry_schema (version) VALUES (2)");
        }

        try (EmbeddedBroker broker = open(file)) {
            // Older tasks keep their place by run-at; a tenant arriving later joins the current
            // round: its fair position is that of the first pending task (ties go by sequence).
            NewTask tenanted = withHeaders(task("q"), Map.of(Task.TENANT_HEADER, "acme"));
            broker.enqueue(new EnqueueRequest(List.of(tenanted)));
            assertThat(claim(broker, "q", 4)).extracting(ClaimedTask::id)
                    .containsExactly(old.get(0), tenanted.id(), old.get(1), old.get(2));
        }
        try (Connection c = raw(file); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT max(version) FROM ferry_schema")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
            try (ResultSet rs = st.executeQuery("SELECT sql FROM sqlite_master WHERE name = 'ferry_task_ready'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).contains("fair_at IS NULL");
            }
        }
    }

    @Test
    void aFileWrittenByANewerSchemaIsRefused() throws SQLException {
        Path file = dir.resolve("ferry.db");
        open(file).close();
        try (Connection c = raw(file); Statement st = c.createStatement()) {
            st.execute("INSERT INTO ferry_schema (version) VALUES (99)");
        }

        assertThatThrownBy(() -> open(file))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("newer");
    }

    @Test
    void aFileThatIsNotADatabaseGivesAClearPermanentError() throws Exception {
        Path file = dir.resolve("corrupt.db");
        Files.writeString(file, "this is not a SQLite database, just text ".repeat(200), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> open(file))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a database")
                .satisfies(e -> assertThat(((BrokerException) e).isTransient()).isFalse());
    }

    @Test
    void aPathThatCannotBeCreatedGivesAClearPermanentError() throws Exception {
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADir.resolve("sub").resolve("ferry.db");

        assertThatThrownBy(() -> open(file))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining(file.toString())
                .satisfies(e -> assertThat(((BrokerException) e).isTransient()).isFalse());
    }

    @Test
    void aDirectoryIsNotADatabaseFile() {
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("directory");
    }

    @Test
    void missingParentDirectoriesAreCreated() {
        Path file = dir.resolve("a").resolve("b").resolve("ferry.db");
        try (EmbeddedBroker broker = open(file)) {
            assertThat(broker.file()).isEqualTo(file.toAbsolutePath());
        }
        assertThat(file).exists();
    }

    @Test
    void declaresItsCapabilities() {
        try (EmbeddedBroker broker = open(dir.resolve("ferry.db"))) {
            assertThat(broker.capabilities().name()).isEqualTo("embedded");
            assertThat(broker.capabilities().durable()).isTrue();
            assertThat(broker.capabilities().multiProcess()).isTrue();
            assertThat(broker.capabilities().transactionalEnqueue()).isFalse();
        }
    }
}
