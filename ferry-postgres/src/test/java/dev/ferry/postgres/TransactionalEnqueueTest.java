package dev.ferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.BrokerException;
import dev.ferry.Client;
import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.testing.InMemoryBroker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactional enqueue: a task enqueued with the application's connection exists if and only if
 * the application's transaction commits.
 */
class TransactionalEnqueueTest {
    private static final String TYPE = "order.confirm";

    /** Payload: the order and whether its first attempt fails. */
    record Confirm(int order, boolean failFirst) {
    }

    private String schema;
    private PostgresBroker broker;
    private Ferry ferry;

    @BeforeEach
    void open() throws SQLException {
        schema = TestDatabase.newSchema("txenqueue");
        broker = TestDatabase.broker(schema).build();
        ferry = Ferry.builder().broker(broker).build();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE \"" + schema + "\".orders (id integer PRIMARY KEY, task_id text NOT NULL)");
        }
    }

    @AfterEach
    void close() {
        ferry.close();
        broker.close();
        TestDatabase.dropSchema(schema);
    }

    private Connection transaction() throws SQLException {
        Connection c = TestDatabase.connect();
        c.setAutoCommit(false);
        return c;
    }

    @Test
    void rolledBackTasksNeverRunAndCommittedOnesRunAsOftenAsTheirAttemptsRequire() throws Exception {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        ferry.worker()
                .concurrency(8)
                .pollInterval(Duration.ofMillis(100))
                .retryPolicy(RetryPolicy.fixed(Duration.ofMillis(10)))
                .handle(TYPE, Confirm.class, (job, ctx) -> {
                    runs.computeIfAbsent(ctx.id(), k -> new AtomicInteger()).incrementAndGet();
                    if (job.failFirst() && ctx.attempt() == 1) {
                        throw new IllegalStateException("first attempt of order " + job.order() + " fails");
                    }
                    return null;
                })
                .start();

        int transactions = 200;
        Map<String, Integer> committed = new ConcurrentHashMap<>(); // task id -> expected runs
        Set<String> rolledBack = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < transactions; i++) {
                int order = i;
                done.add(pool.submit(() -> {
                    boolean commit = order % 2 == 0;
                    boolean failFirst = order % 3 == 0;
                    try (Connection c = transaction()) {
                        Client tx = TransactionalEnqueue.client(ferry, c);
                        EnqueueResult r = tx.enqueue(Task.of(TYPE, new Confirm(order, failFirst)).maxAttempts(3));
                        assertThat(r.created()).isTrue();
                        try (PreparedStatement ps = c.prepareStatement(
                                "INSERT INTO \"" + schema + "\".orders (id, task_id) VALUES (?, ?)")) {
                            ps.setInt(1, order);
                            ps.setString(2, r.id());
                            ps.executeUpdate();
                        }
                        // The application's own work, while the task is written but not committed:
                        // a worker polling meanwhile must not see it.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                        if (commit) {
                            c.commit();
                            committed.put(r.id(), failFirst ? 2 : 1);
                        } else {
                            c.rollback();
                            rolledBack.add(r.id());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(committed).hasSize(transactions / 2);
        assertThat(rolledBack).hasSize(transactions / 2);

        await().atMost(Duration.ofSeconds(30)).until(() ->
                ferry.inspector().queue("default").count(TaskState.COMPLETED) == committed.size());

        for (Map.Entry<String, Integer> e : committed.entrySet()) {
            TaskInfo t = ferry.inspector().task(e.getKey()).orElseThrow();
            assertThat(t.state()).isEqualTo(TaskState.COMPLETED);
            assertThat(t.attempt()).as("attempts of %s", e.getKey()).isEqualTo(e.getValue());
            assertThat(runs.get(e.getKey())).as("runs of %s", e.getKey()).hasValue(e.getValue());
        }
        for (String id : rolledBack) {
            assertThat(runs).as("a rolled-back task ran").doesNotContainKey(id);
            assertThat(ferry.inspector().task(id)).as("a rolled-back task is stored").isEmpty();
        }
        assertThat(runs.keySet()).isEqualTo(committed.keySet());
        // The business rows and the tasks went together.
        Set<String> orderTasks = new HashSet<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT task_id FROM \"" + schema + "\".orders")) {
            while (rs.next()) {
                orderTasks.add(rs.getString(1));
            }
        }
        assertThat(orderTasks).isEqualTo(committed.keySet());
        assertThat(ferry.inspector().queue("default").processedTotal()).isEqualTo(committed.size());
    }

    @Test
    void aTaskIsInvisibleUntilCommitAndItsUniqueKeyIsHeldOnlyIfItCommits() throws Exception {
        Task keyed = Task.of(TYPE, new Confirm(1, false)).unique("order:1", Duration.ofHours(1));
        String first;
        try (Connection c = transaction()) {
            first = TransactionalEnqueue.client(ferry, c).enqueue(keyed).id();
            assertThat(ferry.inspector().task(first)).as("visible before commit").isEmpty();
            c.rollback();
        }
        assertThat(ferry.inspector().task(first)).isEmpty();

        String second;
        try (Connection c = transaction()) {
            EnqueueResult r = TransactionalEnqueue.client(ferry, c).enqueue(keyed);
            assertThat(r.created()).as("the key of the rolled-back task was never held").isTrue();
            second = r.id();
            List<EnqueueResult> again = TransactionalEnqueue.client(ferry, c).enqueueAll(List.of(keyed, keyed));
            assertThat(again).extracting(EnqueueResult::status).containsOnly(EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
            c.commit();
        }
        assertThat(ferry.inspector().task(second)).map(TaskInfo::state).contains(TaskState.PENDING);
        assertThat(ferry.client().enqueue(keyed).status()).isEqualTo(EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
    }

    @Test
    void aCommittedEnqueueWakesAnIdleWorkerOfAnotherBroker() throws Exception {
        try (PostgresBroker other = TestDatabase.broker(schema).build()) {
            Waiter waiter = Waiter.start(other, "default", Duration.ofSeconds(20));
            try (Connection c = transaction()) {
                TransactionalEnqueue.client(ferry, c).enqueue(Task.of(TYPE, new Confirm(7, false)));
                c.commit();
            }
            assertThat(waiter.result().get(10, TimeUnit.SECONDS)).as("woken by the commit's notification").isTrue();
        }
    }

    @Test
    void badInputIsRefusedByTheCoreRulesAndNothingIsWritten() throws Exception {
        try (Connection c = transaction()) {
            Client tx = TransactionalEnqueue.client(ferry, c);
            assertThatThrownBy(() -> tx.enqueue(Task.of(TYPE, new Confirm(1, false)).priority(101)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("priority");
            assertThatThrownBy(() -> tx.enqueueAll(List.of(Task.of(TYPE, new Confirm(1, false)),
                    Task.of("bad type!", new Confirm(2, false)))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("tasks[1].type");
            // Nothing failed in SQL: the application's transaction is still usable.
            assertThat(tx.enqueue(Task.of(TYPE, new Confirm(3, false))).created()).isTrue();
            c.commit();
        }
        assertThat(ferry.inspector().queue("default").count(TaskState.PENDING)).isEqualTo(1);
    }

    @Test
    void aConnectionWithoutATransactionOrAnotherBrokerIsRefusedClearly() throws Exception {
        try (Connection c = TestDatabase.connect()) {
            assertThatThrownBy(() -> TransactionalEnqueue.client(ferry, c).enqueue(Task.of(TYPE, new Confirm(1, false))))
                    .isInstanceOf(BrokerException.class)
                    .hasMessageContaining("auto-commit");
        }
        try (Ferry inMemory = Ferry.builder().broker(new InMemoryBroker()).build(); Connection c = transaction()) {
            assertThatThrownBy(() -> TransactionalEnqueue.client(inMemory, c))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("needs a PostgresBroker");
        }
        assertThatThrownBy(() -> TransactionalEnqueue.client(ferry, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("connection");
    }
}
