package dev.ferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.spi.Broker;
import dev.ferry.testing.BrokerContract;
import dev.ferry.testing.ManualClock;
import dev.ferry.testing.WorkerContract;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL broker behind a real PgBouncer in <b>transaction pooling</b> mode, started by the
 * test in front of the test database with fewer server connections than the broker has pooled
 * ones, so clients share server connections and consecutive transactions of one client can run
 * on different ones.
 *
 * <p>With {@code notify=false} and the prepared-statement setting that the PgBouncer version
 * needs (docs/postgres.md, "Wake-ups and PgBouncer"), the whole {@link WorkerContract} runs
 * through it ({@link Workers}): enqueue, claim, ack, retries, the dead set, lease expiry recovery,
 * cancellation, graceful shutdown, idempotency; and so does the broker SPI's conformance suite
 * ({@link SpiConformance}). Added to those: idle workers find work by polling; what
 * {@code notify=true} does behind transaction pooling; transactional enqueue through PgBouncer;
 * why the prepared-statement setting is needed.
 *
 * <p>PgBouncer must be installed ({@code apt-get install pgbouncer}); without it the class is
 * skipped, except under {@code CI=true}, where it fails.
 */
class PgBouncerTest {
    /** Server connections per pool: fewer than the broker's 4, so clients share them. */
    private static final int SERVER_CONNECTIONS = 2;
    /** Generous bound for a pickup by a worker polling every 200 ms (slow, shared CI machines). */
    private static final Duration POLL_BOUND = Duration.ofSeconds(10);
    private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dir;
    private static PgBouncerProcess bouncer;
    private static boolean preparedStatementsSupported;

    @BeforeAll
    static void startPgBouncer() throws IOException {
        Optional<Path> binary = PgBouncerProcess.binary();
        String why = "pgbouncer is not installed (looked on the PATH and in /usr/sbin); install it with apt-get install pgbouncer";
        if (binary.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + " (CI=true: this test must run; .ci/run installs it)");
        }
        // On a developer machine without pgbouncer the README's test command still passes.
        assumeTrue(binary.isPresent(), why);
        List<Integer> version = PgBouncerProcess.version(binary.get());
        preparedStatementsSupported = PgBouncerProcess.atLeast(version, PgBouncerProcess.PREPARED_STATEMENTS_SINCE);
        // 1.21+: PgBouncer tracks protocol-level prepared statements itself once this is set.
        Map<String, String> settings = preparedStatementsSupported ? Map.of("max_prepared_statements", "100") : Map.of();
        bouncer = PgBouncerProcess.start(binary.get(), dir, SERVER_CONNECTIONS, settings);
    }

    @AfterAll
    static void stopPgBouncer() {
        if (bouncer != null) {
            bouncer.close();
            bouncer = null;
        }
        dropSchemas();
    }

    /** Drops the schemas made so far; their brokers must be closed. */
    private static void dropSchemas() {
        SCHEMAS.forEach(TestDatabase::dropSchema);
        SCHEMAS.clear();
    }

    /** The documented URL parameters for this PgBouncer: notify off, prepared statements as it needs. */
    private static String documentedQuery(boolean notify) {
        return "notify=" + notify + (preparedStatementsSupported ? "" : "&prepareThreshold=0");
    }

    private static PostgresBroker bouncedBroker(String schema, boolean notify) {
        return PostgresBroker.builder().url(bouncer.url(documentedQuery(notify))).schema(schema).maxConnections(4).build();
    }

    private static String newSchema() {
        String schema = TestDatabase.newSchema("bouncer");
        SCHEMAS.add(schema);
        return schema;
    }

    /**
     * The worker runtime's promises through PgBouncer with {@code notify=false}, each test in a
     * fresh schema, plus what polling, {@code notify=true} and transactional enqueue do there.
     */
    @Nested
    class Workers extends WorkerContract {
        @Override
        protected Broker newBroker() {
            dropSchemas(); // of earlier tests, whose brokers are closed by now: do not let them pile up
            return bouncedBroker(newSchema(), false);
        }

        @Test
        void withNotifyOffAnIdleWorkerFindsWorkOfAnotherProcessByPolling() throws Exception {
            PostgresBroker consumer = (PostgresBroker) broker;
            assertThat(consumer.isListening()).isFalse();
            assertThat(consumer.capabilities().pushWakeup()).isFalse();
            try (PostgresBroker producer = bouncedBroker(consumer.schema(), false);
                 Ferry producing = Ferry.builder().broker(producer).build()) {
                // No NOTIFY reaches a waiting worker: the wait ends at its timeout, unwoken.
                Waiter waiter = Waiter.start(consumer, "default", Duration.ofSeconds(1));
                String first = producing.client().enqueue(Task.of("job.echo", new Job("first", 1))).id();
                await().atMost(WAIT).until(waiter.result()::isDone);
                assertThat(waiter.result().get()).as("woken without NOTIFY").isFalse();

                // A worker polling every 200 ms picks up the other process's tasks all the same.
                started(testWorker(ferry, Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(200))
                        .handle("job.echo", Job.class, (job, ctx) -> job.name()));
                await().atMost(POLL_BOUND).until(() -> state(first) == TaskState.COMPLETED);
                String second = producing.client().enqueue(Task.of("job.echo", new Job("second", 2))).id();
                await().atMost(POLL_BOUND).until(() -> state(second) == TaskState.COMPLETED);
            }
        }

        /**
         * Transactional enqueue through PgBouncer: the application's transaction holds one server
         * connection from BEGIN to COMMIT, so its task exists if and only if it commits.
         */
        @Test
        void transactionalEnqueueThroughPgBouncerKeepsCommittedTasksOnly() throws Exception {
            started(worker().handle("job.echo", Job.class, (job, ctx) -> job.name()));
            String committed;
            String rolledBack;
            String driverQuery = preparedStatementsSupported ? "" : "prepareThreshold=0";
            try (Connection c = bouncer.connect("test", driverQuery)) {
                c.setAutoCommit(false);
                committed = TransactionalEnqueue.client(ferry, c).enqueue(Task.of("job.echo", new Job("kept", 1))).id();
                c.commit();
                rolledBack = TransactionalEnqueue.client(ferry, c).enqueue(Task.of("job.echo", new Job("dropped", 2))).id();
                c.rollback();
            }
            assertThat(awaitState(committed, TaskState.COMPLETED).attempt()).isEqualTo(1);
            assertThat(ferry.inspector().task(rolledBack)).isEmpty();
            assertThat(ferry.inspector().queue("default").processedTotal()).isEqualTo(1);
        }

        private TaskState state(String id) {
            return ferry.inspector().task(id).map(dev.ferry.TaskInfo::state).orElse(null);
        }

        /**
         * Behind transaction pooling, LISTEN "succeeds" on whichever server connection ran it, which
         * then goes back to PgBouncer's pool: the broker opens and reports that it listens, but the
         * notifications of other processes never reach its listening client. Nothing fails; workers
         * find the work at their poll interval, as with notify off.
         */
        @Test
        void withNotifyOnWakeUpsSilentlyNeverArriveAndWorkersStillFindWorkByPolling() throws Exception {
            String schema = newSchema();
            try (PostgresBroker listening = bouncedBroker(schema, true);
                 PostgresBroker producer = bouncedBroker(schema, true);
                 Ferry producing = Ferry.builder().broker(producer).build();
                 Ferry consuming = Ferry.builder().broker(listening).build()) {
                assertThat(listening.isListening()).as("LISTEN itself does not fail behind PgBouncer").isTrue();
                for (int i = 0; i < 3; i++) {
                    Waiter waiter = Waiter.start(listening, "default", Duration.ofSeconds(1));
                    producing.client().enqueue(Task.of("job.echo", new Job("n", i)));
                    await().atMost(WAIT).until(waiter.result()::isDone);
                    assertThat(waiter.result().get()).as("woken by the NOTIFY of another process, round " + i).isFalse();
                }
                assertThat(listening.isListening()).as("nothing tells the broker that it hears nothing").isTrue();

                try (Worker w = testWorker(consuming, Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(200))
                        .handle("job.echo", Job.class, (job, ctx) -> job.name()).start()) {
                    await().atMost(POLL_BOUND).until(() -> consuming.inspector().queue("default").processedTotal() == 3);
                    String late = producing.client().enqueue(Task.of("job.echo", new Job("late", 9))).id();
                    await().atMost(POLL_BOUND).until(() -> consuming.inspector().task(late)
                            .map(dev.ferry.TaskInfo::state).orElse(null) == TaskState.COMPLETED);
                }
            }
        }
    }

    /**
     * Why the prepared-statement setting matters. pgjdbc names a server-side prepared statement
     * after {@code prepareThreshold} executions (5 by default), S_1, S_2, ... per connection. Two
     * clients sharing one server connection (the {@code test_single} pool): before PgBouncer
     * 1.21 the second one's {@code S_1} collides with the first one's; with
     * {@code prepareThreshold=0} (unnamed statements only) both run. From 1.21, with
     * {@code max_prepared_statements} set, PgBouncer renames them itself and the default works.
     */
    @Test
    void preparedStatementsNeedPrepareThresholdZeroBeforePgBouncer121() throws SQLException {
        if (preparedStatementsSupported) {
            assertThat((Object) runSharedStatements("prepareThreshold=5")).as("default threshold, max_prepared_statements=100").isNull();
        } else {
            SQLException collision = runSharedStatements("prepareThreshold=5");
            assertThat((Object) collision).as("named statements of two clients on one server connection").isNotNull();
            assertThat(collision.getSQLState()).isEqualTo("42P05"); // duplicate_prepared_statement
            assertThat(collision.getMessage()).contains("prepared statement \"S_1\" already exists");
        }
        assertThat((Object) runSharedStatements("prepareThreshold=0")).isNull();
    }

    /** Both connections run one statement 8 times, alternating; returns the first failure, or null. */
    private static SQLException runSharedStatements(String driverQuery) throws SQLException {
        try (Connection a = bouncer.connect("test_single", driverQuery);
             Connection b = bouncer.connect("test_single", driverQuery)) {
            for (int i = 0; i < 8; i++) {
                for (Connection c : List.of(a, b)) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
                        ps.setInt(1, i);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getInt(1)).isEqualTo(i);
                        }
                    } catch (SQLException e) {
                        return e;
                    }
                }
            }
            return null;
        }
    }

    /**
     * The broker SPI's conformance suite through PgBouncer, each test in a fresh schema dropped
     * afterwards, with broker time from the suite's manual clock.
     */
    @Nested
    class SpiConformance extends BrokerContract {
        private final Map<Broker, String> schemas = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        protected Broker newBroker(ManualClock clock) {
            String schema = TestDatabase.newSchema("bouncer_spi");
            PostgresBroker b = PostgresBroker.builder().url(bouncer.url(documentedQuery(false))).schema(schema)
                    .maxConnections(4).clock(clock).build();
            schemas.put(b, schema);
            return b;
        }

        @Override
        protected void closeBroker(Broker b) {
            b.close();
            String schema = schemas.remove(b);
            if (schema != null) {
                TestDatabase.dropSchema(schema);
            }
        }
    }
}
