package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.ferry.DeadReason;
import dev.ferry.EnqueueResult;
import dev.ferry.QueueStats;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.LeaderResponse;
import dev.ferry.spi.Lease;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.ProgressRequest;
import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecordResponse;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import dev.ferry.spi.ReleaseRequest;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import dev.ferry.spi.TaskPage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Broker conformance suite: the executable form of {@code docs/spi.md}. Every backend runs
 * it with the same assertions by extending it once:
 *
 * <pre>{@code
 * class MyBrokerConformanceTest extends BrokerContract {
 *     @Override
 *     protected Broker newBroker(ManualClock clock) {
 *         return new MyBroker(clock);
 *     }
 * }
 * }</pre>
 *
 * <p>Each promise of the SPI is one {@link Nested @Nested} inner class ({@link AtLeastOnce},
 * {@link Fencing}, {@link LeaseExpiryAndRecovery}, ...). JUnit discovers {@code @Nested} classes
 * inherited from a superclass, so the one-line subclass above runs them all, and reports group
 * by promise. Before each test a fresh {@link ManualClock} (at {@link ManualClock#DEFAULT_START})
 * and a fresh broker are made with {@link #newBroker}; after it, {@link #closeBroker} runs.
 *
 * <p>Time only moves when a test moves the clock: the broker must take every due time, lease and
 * retention deadline from that clock. The only real-time waits are the bounded ones of
 * {@link Wakeup}, where a blocked {@code awaitWork} must return. Boundaries are half-open
 * everywhere: a lease, unique key, idempotency record or leader lease that lasts {@code d} from
 * {@code t} is live at {@code t + d - 1ms} and gone at {@code t + d}; a task due at {@code t}
 * is ready at {@code t}.
 *
 * <p>The fields and helpers are protected so a backend's own extra tests can use them too.
 */
public abstract class BrokerContract {

    /** The queue most tests use. */
    protected static final String QUEUE = "contract";
    /** The worker id the helpers claim as. */
    protected static final String WORKER = "worker-1";
    /** The lease the helpers claim with. */
    protected static final Duration LEASE = Duration.ofSeconds(30);
    /** Lease expirations after which recovery treats a task as poison, in these tests. */
    protected static final int MAX_LEASE_EXPIRATIONS = 3;
    /** The most a test waits in real time for something asynchronous (a wake-up). */
    protected static final Duration ASYNC_BOUND = Duration.ofSeconds(5);

    private static final Duration ONE_MS = Duration.ofMillis(1);

    /** This test's clock; the broker under test reads time from it. */
    protected ManualClock clock;
    /** This test's broker, fresh and empty. */
    protected Broker broker;

    /**
     * Makes the broker under test: a fresh, empty store isolated from every other test, whose
     * time is {@code clock}. Called once per test, from this class's {@code @BeforeEach}, which
     * runs before a subclass's own {@code @BeforeEach} methods: start shared servers in a
     * {@code @BeforeAll} instead.
     *
     * @param clock the clock the broker must use for all due times, leases and retention
     * @return the broker
     */
    protected abstract Broker newBroker(ManualClock clock);

    /**
     * Disposes of a broker made by {@link #newBroker} after its test. Closes it by default;
     * override to also drop a schema, flush a database or delete files.
     *
     * @param b the broker to dispose of
     */
    protected void closeBroker(Broker b) {
        b.close();
    }

    /** Opens this test's clock and broker. */
    @BeforeEach
    final void openBrokerContract() {
        clock = new ManualClock();
        broker = newBroker(clock);
    }

    /** Disposes of this test's broker. */
    @AfterEach
    final void closeBrokerContract() {
        if (broker != null) {
            closeBroker(broker);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /**
     * A builder of a valid {@link NewTask} for {@code queue} with the defaults: a random id, type
     * {@code contract.task}, payload {@code {"n":1}}, priority 50, no delay, 3 attempts, 30 s
     * timeout, no unique key, retention 1 h, dead retention 7 days, no headers.
     *
     * @param queue the queue
     * @return the builder
     */
    protected static TaskBuilder newTask(String queue) {
        return new TaskBuilder(queue);
    }

    /**
     * A builder of a valid task for {@link #QUEUE}; see {@link #newTask(String)}.
     *
     * @return the builder
     */
    protected static TaskBuilder newTask() {
        return newTask(QUEUE);
    }

    /**
     * Enqueues tasks in one request.
     *
     * @param tasks the tasks, in order
     * @return one result per task, in order
     */
    protected List<EnqueueResult> enqueue(TaskBuilder... tasks) {
        return broker.enqueue(new EnqueueRequest(Arrays.stream(tasks).map(TaskBuilder::build).toList()))
                .results();
    }

    /**
     * Enqueues one task and checks it was created.
     *
     * @param task the task
     * @return its id
     */
    protected String enqueued(TaskBuilder task) {
        EnqueueResult result = enqueue(task).get(0);
        assertThat(result.status()).as("enqueue of %s", task.id).isEqualTo(EnqueueResult.Status.CREATED);
        assertThat(result.id()).isEqualTo(task.id);
        return result.id();
    }

    /**
     * Enqueues {@code n} default tasks to {@code queue} in one request, checking they were created.
     *
     * @param queue the queue
     * @param n     how many
     * @return their ids, in order
     */
    protected List<String> enqueueMany(String queue, int n) {
        TaskBuilder[] tasks = new TaskBuilder[n];
        for (int i = 0; i < n; i++) {
            tasks[i] = newTask(queue);
        }
        List<EnqueueResult> results = enqueue(tasks);
        assertThat(results).extracting(EnqueueResult::status).containsOnly(EnqueueResult.Status.CREATED);
        return results.stream().map(EnqueueResult::id).toList();
    }

    /**
     * Claims as {@link #WORKER} with {@link #LEASE}.
     *
     * @param max    most tasks
     * @param queues queues in order
     * @return the claimed tasks, in claim order
     */
    protected List<ClaimedTask> claim(int max, String... queues) {
        return broker.claim(new ClaimRequest(WORKER, List.of(queues), max, LEASE)).tasks();
    }

    /**
     * Claims exactly one task from {@code queue} with the given lease, failing when none is ready.
     *
     * @param queue the queue
     * @param lease the lease duration
     * @return the claimed task
     */
    protected ClaimedTask claimOne(String queue, Duration lease) {
        List<ClaimedTask> tasks = broker.claim(new ClaimRequest(WORKER, List.of(queue), 1, lease)).tasks();
        assertThat(tasks).as("claim from %s", queue).hasSize(1);
        return tasks.get(0);
    }

    /**
     * Claims exactly one task from {@link #QUEUE} with {@link #LEASE}.
     *
     * @return the claimed task
     */
    protected ClaimedTask claimOne() {
        return claimOne(QUEUE, LEASE);
    }

    /**
     * Acks one outcome.
     *
     * @param lease   the lease
     * @param outcome the outcome
     * @return true when applied, false when the fence rejected it
     */
    protected boolean ack(Lease lease, Outcome outcome) {
        return broker.ack(new AckRequest(List.of(new Ack(lease, outcome)))).rejected().isEmpty();
    }

    /**
     * Completes a claimed task with a result, checking the ack was applied.
     *
     * @param task the task
     * @param resultJson the result
     */
    protected void complete(ClaimedTask task, String resultJson) {
        assertThat(ack(task.lease(), new Outcome.Completed(resultJson))).as("complete %s", task.id()).isTrue();
    }

    /**
     * The stored task, failing when it is missing.
     *
     * @param id the id
     * @return the task
     */
    protected TaskInfo info(String id) {
        return broker.get(id).orElseThrow(() -> new AssertionError("task " + id + " is not stored"));
    }

    /**
     * Stats of one queue.
     *
     * @param queue the queue
     * @return its stats
     */
    protected QueueStats stats(String queue) {
        List<QueueStats> stats = broker.stats(List.of(queue));
        assertThat(stats).hasSize(1);
        return stats.get(0);
    }

    /**
     * Runs an admin command.
     *
     * @param command the command
     * @return the count affected
     */
    protected long admin(AdminCommand command) {
        return broker.admin(command).affected();
    }

    /**
     * Broker-now.
     *
     * @return the test clock's time
     */
    protected Instant now() {
        return clock.instant();
    }

    /**
     * A failure record as the core would make it, dated now.
     *
     * @param attempt the failed attempt
     * @param message the message
     * @return the error
     */
    protected TaskError error(int attempt, String message) {
        return new TaskError(attempt, "java.lang.IllegalStateException", message,
                "java.lang.IllegalStateException: " + message + "\n\tat Handler.run", now());
    }

    /**
     * Recovers expired leases with {@link #MAX_LEASE_EXPIRATIONS}.
     *
     * @return what recovery did
     */
    protected RecoverResponse recover() {
        return broker.recoverExpired(new RecoverRequest(MAX_LEASE_EXPIRATIONS, 1000));
    }

    /**
     * Claims the one task of {@link #QUEUE} and acks it dead as {@code FAILED}.
     *
     * @return its id
     */
    protected String claimAndKill() {
        ClaimedTask t = claimOne();
        assertThat(ack(t.lease(), new Outcome.Dead(DeadReason.FAILED, error(t.attempt(), "boom")))).isTrue();
        return t.id();
    }

    /**
     * Lists one page.
     *
     * @param queue  queue or null for all
     * @param state  the state
     * @param offset tasks to skip
     * @param limit  page size
     * @return the page
     */
    protected TaskPage list(String queue, TaskState state, int offset, int limit) {
        return broker.list(new ListRequest(queue, state, offset, limit));
    }

    private static List<String> ids(List<ClaimedTask> tasks) {
        return tasks.stream().map(ClaimedTask::id).toList();
    }

    private static List<String> ids(TaskPage page) {
        return page.tasks().stream().map(TaskInfo::id).toList();
    }

    /**
     * A fluent builder of valid {@link NewTask} records for tests; see {@link #newTask(String)}.
     */
    public static final class TaskBuilder {
        private String id = "t-" + UUID.randomUUID();
        private final String queue;
        private String type = "contract.task";
        private String payloadJson = "{\"n\":1}";
        private int priority = 50;
        private Duration delay = Duration.ZERO;
        private Instant runAt;
        private int maxAttempts = 3;
        private Duration timeout = Duration.ofSeconds(30);
        private String uniqueKey;
        private Duration uniqueFor;
        private Duration retention = Duration.ofHours(1);
        private Duration deadRetention = Duration.ofDays(7);
        private final Map<String, String> headers = new HashMap<>();

        private TaskBuilder(String queue) {
            this.queue = queue;
        }

        /**
         * Sets the id.
         *
         * @param id the task id
         * @return this builder
         */
        public TaskBuilder id(String id) {
            this.id = id;
            return this;
        }

        /**
         * The id this builder will use.
         *
         * @return the id
         */
        public String id() {
            return id;
        }

        /**
         * Sets the type.
         *
         * @param type the task type
         * @return this builder
         */
        public TaskBuilder type(String type) {
            this.type = type;
            return this;
        }

        /**
         * Sets the payload.
         *
         * @param json payload JSON
         * @return this builder
         */
        public TaskBuilder payload(String json) {
            this.payloadJson = json;
            return this;
        }

        /**
         * Sets the priority.
         *
         * @param priority 0..100, lower first
         * @return this builder
         */
        public TaskBuilder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /**
         * Sets a delay from broker-now.
         *
         * @param delay the delay
         * @return this builder
         */
        public TaskBuilder delay(Duration delay) {
            this.delay = delay;
            return this;
        }

        /**
         * Sets an absolute run-at.
         *
         * @param runAt the instant
         * @return this builder
         */
        public TaskBuilder runAt(Instant runAt) {
            this.runAt = runAt;
            return this;
        }

        /**
         * Sets the attempts allowed.
         *
         * @param maxAttempts at least 1
         * @return this builder
         */
        public TaskBuilder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Sets the per-attempt timeout.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public TaskBuilder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets a unique key.
         *
         * @param key the key
         * @param ttl how long it is held at most
         * @return this builder
         */
        public TaskBuilder unique(String key, Duration ttl) {
            this.uniqueKey = key;
            this.uniqueFor = ttl;
            return this;
        }

        /**
         * Sets how long the task is kept once completed or cancelled.
         *
         * @param retention the retention
         * @return this builder
         */
        public TaskBuilder retention(Duration retention) {
            this.retention = retention;
            return this;
        }

        /**
         * Sets how long the task is kept once dead.
         *
         * @param deadRetention the dead retention
         * @return this builder
         */
        public TaskBuilder deadRetention(Duration deadRetention) {
            this.deadRetention = deadRetention;
            return this;
        }

        /**
         * Sets the tenant (the {@code ferry-tenant} header) for fair claim order.
         *
         * @param tenant the tenant
         * @return this builder
         */
        public TaskBuilder tenant(String tenant) {
            headers.put(dev.ferry.Task.TENANT_HEADER, tenant);
            return this;
        }

        /**
         * Adds a header.
         *
         * @param name  header name
         * @param value header value
         * @return this builder
         */
        public TaskBuilder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /**
         * Builds the record.
         *
         * @return the task
         */
        public NewTask build() {
            return new NewTask(id, queue, type, payloadJson, priority, delay, runAt, maxAttempts, timeout,
                    uniqueKey, uniqueFor, retention, deadRetention, headers);
        }
    }

    // ---- the promises ---------------------------------------------------------------------------

    /** At-least-once: every task is handed out, and never to two holders at the same time. */
    @Nested
    public class AtLeastOnce {

        @Test
        void everyEnqueuedTaskIsClaimedExactlyOnceWhenNothingFails() {
            List<String> ids = enqueueMany(QUEUE, 50);

            List<String> claimed = new ArrayList<>();
            List<ClaimedTask> batch;
            while (!(batch = claim(7, QUEUE)).isEmpty()) {
                claimed.addAll(ids(batch));
                batch.forEach(t -> complete(t, "{}"));
            }

            assertThat(claimed).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(claim(10, QUEUE)).isEmpty();
            assertThat(stats(QUEUE).count(TaskState.COMPLETED)).isEqualTo(50);
            assertThat(stats(QUEUE).processedTotal()).isEqualTo(50);
        }

        @Test
        void concurrentClaimsNeverHandOneTaskToTwoHolders() throws Exception {
            List<String> ids = enqueueMany(QUEUE, 200);
            ConcurrentLinkedQueue<ClaimedTask> claimed = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            int threads = 4;

            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<?>> claimers = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    String worker = "worker-" + i;
                    claimers.add(pool.submit(() -> {
                        start.await();
                        List<ClaimedTask> batch;
                        while (!(batch = broker.claim(new ClaimRequest(worker, List.of(QUEUE), 3, LEASE)).tasks())
                                .isEmpty()) {
                            claimed.addAll(batch);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : claimers) {
                    f.get(ASYNC_BOUND.toMillis() * 6, TimeUnit.MILLISECONDS);
                }
            }

            List<String> claimedIds = claimed.stream().map(ClaimedTask::id).toList();
            assertThat(claimedIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
            // Every holder's lease is valid: no two of them were handed the same task.
            List<Ack> acks = claimed.stream().map(t -> new Ack(t.lease(), new Outcome.Completed(null))).toList();
            assertThat(broker.ack(new AckRequest(acks)).rejected()).isEmpty();
            assertThat(stats(QUEUE).count(TaskState.COMPLETED)).isEqualTo(200);
        }

        @Test
        void aBatchEnqueueOfNStoresN() {
            TaskBuilder[] tasks = new TaskBuilder[25];
            for (int i = 0; i < tasks.length; i++) {
                tasks[i] = newTask().payload("{\"i\":" + i + "}");
            }

            List<EnqueueResult> results = enqueue(tasks);

            assertThat(results).extracting(EnqueueResult::id, EnqueueResult::status)
                    .containsExactlyElementsOf(Arrays.stream(tasks)
                            .map(t -> tuple(t.id(), EnqueueResult.Status.CREATED)).toList());
            assertThat(stats(QUEUE).count(TaskState.PENDING)).isEqualTo(25);
            for (int i = 0; i < tasks.length; i++) {
                assertThat(info(tasks[i].id()).payloadJson()).isEqualTo("{\"i\":" + i + "}");
            }
        }

        @Test
        void aClaimHandsOverTheTaskAsEnqueued() {
            Instant enqueuedAt = now();
            String id = enqueued(newTask().type("mail.send").payload("{\"to\":\"a@b.c\"}").priority(7)
                    .maxAttempts(4).timeout(Duration.ofSeconds(45)).header("traceparent", "00-abc-def-01"));
            clock.advance(Duration.ofSeconds(2));

            ClaimedTask t = claimOne();

            assertThat(t.id()).isEqualTo(id);
            assertThat(t.queue()).isEqualTo(QUEUE);
            assertThat(t.type()).isEqualTo("mail.send");
            assertThat(t.payloadJson()).isEqualTo("{\"to\":\"a@b.c\"}");
            assertThat(t.priority()).isEqualTo(7);
            assertThat(t.attempt()).isEqualTo(1);
            assertThat(t.maxAttempts()).isEqualTo(4);
            assertThat(t.timeout()).isEqualTo(Duration.ofSeconds(45));
            assertThat(t.enqueuedAt()).isEqualTo(enqueuedAt);
            assertThat(t.leaseExpiresAt()).isEqualTo(now().plus(LEASE));
            assertThat(t.headers()).containsExactly(Map.entry("traceparent", "00-abc-def-01"));
        }

        @Test
        void anActiveTaskIsNotClaimedAgainWhileItsLeaseIsValid() {
            enqueued(newTask());
            claimOne();
            clock.advance(LEASE.minus(ONE_MS));

            assertThat(claim(10, QUEUE)).isEmpty();
        }
    }

    /** Fencing: a lease that expired or was replaced can change nothing. */
    @Nested
    public class Fencing {

        @Test
        void anExpiredLeaseIsRejectedByEveryCallAndChangesNothing() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10)); // valid iff now < leaseExpiresAt: expired now
            TaskInfo before = info(id);

            assertThat(broker.progress(new ProgressRequest(t.lease(), "{\"pct\":50}"))).isFalse();
            assertThat(broker.renew(new RenewRequest(List.of(t.lease()), LEASE)).lost()).containsExactly(id);
            assertThat(broker.release(new ReleaseRequest(List.of(t.lease()))).released()).isZero();
            assertThat(ack(t.lease(), new Outcome.Completed("{}"))).isFalse();
            assertThat(ack(t.lease(), new Outcome.Retry(Duration.ZERO, error(1, "x")))).isFalse();
            assertThat(ack(t.lease(), new Outcome.Dead(DeadReason.FAILED, error(1, "x")))).isFalse();
            assertThat(ack(t.lease(), new Outcome.Cancelled())).isFalse();

            assertThat(info(id)).isEqualTo(before);
            assertThat(before.state()).isEqualTo(TaskState.ACTIVE);
            assertThat(before.progressJson()).isNull();
            assertThat(stats(QUEUE).processedTotal()).isZero();
            assertThat(stats(QUEUE).failedTotal()).isZero();
        }

        @Test
        void aLeaseIsValidUntilItsLastMillisecond() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10).minus(ONE_MS));

            assertThat(broker.progress(new ProgressRequest(t.lease(), "{\"pct\":99}"))).isTrue();
            complete(t, "{}");
            assertThat(info(id).state()).isEqualTo(TaskState.COMPLETED);
        }

        @Test
        void afterRecoveryAndReclaimTheOldTokenStaysRejectedAndTheNewOneWorks() {
            String id = enqueued(newTask());
            ClaimedTask first = claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(11));
            assertThat(recover().requeued()).isEqualTo(1);
            ClaimedTask second = claimOne(QUEUE, Duration.ofSeconds(10));

            assertThat(second.id()).isEqualTo(id);
            assertThat(second.lease().token()).isNotEqualTo(first.lease().token());
            assertThat(ack(first.lease(), new Outcome.Completed("{\"by\":\"first\"}"))).isFalse();
            assertThat(broker.renew(new RenewRequest(List.of(first.lease()), LEASE)).lost()).containsExactly(id);
            assertThat(broker.progress(new ProgressRequest(first.lease(), "{\"by\":\"first\"}"))).isFalse();
            assertThat(broker.release(new ReleaseRequest(List.of(first.lease()))).released()).isZero();
            assertThat(info(id).state()).isEqualTo(TaskState.ACTIVE);

            assertThat(broker.progress(new ProgressRequest(second.lease(), "{\"by\":\"second\"}"))).isTrue();
            complete(second, "{\"by\":\"second\"}");
            assertThat(info(id).resultJson()).isEqualTo("{\"by\":\"second\"}");
            assertThat(info(id).progressJson()).isEqualTo("{\"by\":\"second\"}");
        }

        @Test
        void aCompletedTaskCannotBeCompletedAgain() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne();
            complete(t, "{\"v\":1}");

            assertThat(ack(t.lease(), new Outcome.Completed("{\"v\":2}"))).isFalse();
            assertThat(ack(t.lease(), new Outcome.Retry(Duration.ZERO, error(1, "late")))).isFalse();
            assertThat(info(id).resultJson()).isEqualTo("{\"v\":1}");
            assertThat(info(id).errors()).isEmpty();
            assertThat(stats(QUEUE).processedTotal()).isEqualTo(1);
        }

        @Test
        void aWrongTokenIsRejectedEvenWhileTheLeaseIsValid() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne();
            Lease forged = new Lease(id, t.lease().token() + 1_000_003);

            assertThat(ack(forged, new Outcome.Completed("{}"))).isFalse();
            assertThat(broker.progress(new ProgressRequest(forged, "{}"))).isFalse();
            assertThat(broker.renew(new RenewRequest(List.of(forged), LEASE)).lost()).containsExactly(id);
            assertThat(info(id).state()).isEqualTo(TaskState.ACTIVE);
            assertThat(info(id).leaseExpiresAt()).isEqualTo(t.leaseExpiresAt());
        }

        @Test
        void aReleasedLeaseIsDead() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne();
            assertThat(broker.release(new ReleaseRequest(List.of(t.lease()))).released()).isEqualTo(1);

            assertThat(ack(t.lease(), new Outcome.Completed("{}"))).isFalse();
            assertThat(info(id).state()).isEqualTo(TaskState.PENDING);
        }
    }

    /** Lease expiry and recovery: a crashed worker's task runs again, or goes dead as poison. */
    @Nested
    public class LeaseExpiryAndRecovery {

        @Test
        void anExpiredLeaseReturnsTheTaskToPendingWithTheAttemptKept() {
            String id = enqueued(newTask().maxAttempts(3));
            claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10));

            RecoverResponse r = recover();

            assertThat(r.requeued()).isEqualTo(1);
            assertThat(r.dead()).isZero();
            TaskInfo t = info(id);
            assertThat(t.state()).isEqualTo(TaskState.PENDING);
            assertThat(t.attempt()).isEqualTo(1);
            assertThat(t.leaseExpirations()).isEqualTo(1);
            assertThat(t.runAt()).isEqualTo(now());
            assertThat(t.leaseExpiresAt()).isNull();
            assertThat(t.errors()).hasSize(1);
            TaskError e = t.lastError();
            assertThat(e.errorType()).isEqualTo("lease-expired");
            assertThat(e.message()).isEqualTo("lease expired (worker " + WORKER + ")");
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.at()).isEqualTo(now());
            assertThat(stats(QUEUE).failedTotal()).isEqualTo(1);
            assertThat(stats(QUEUE).deadTotal()).isZero();

            assertThat(claimOne().attempt()).isEqualTo(2);
        }

        @Test
        void nothingIsRecoveredBeforeTheLeaseExpires() {
            String id = enqueued(newTask());
            claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10).minus(ONE_MS));

            RecoverResponse r = recover();

            assertThat(r.requeued()).isZero();
            assertThat(r.dead()).isZero();
            assertThat(info(id).state()).isEqualTo(TaskState.ACTIVE);
        }

        @Test
        void reachingMaxLeaseExpirationsMakesItDeadAsPoison() {
            String id = enqueued(newTask().maxAttempts(10));
            for (int i = 1; i < MAX_LEASE_EXPIRATIONS; i++) {
                claimOne(QUEUE, Duration.ofSeconds(10));
                clock.advance(Duration.ofSeconds(10));
                assertThat(recover().requeued()).isEqualTo(1);
            }
            claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10));

            RecoverResponse r = recover();

            assertThat(r.dead()).isEqualTo(1);
            assertThat(r.requeued()).isZero();
            TaskInfo t = info(id);
            assertThat(t.state()).isEqualTo(TaskState.DEAD);
            assertThat(t.deadReason()).isEqualTo(DeadReason.POISON);
            assertThat(t.leaseExpirations()).isEqualTo(MAX_LEASE_EXPIRATIONS);
            assertThat(t.errors()).hasSize(MAX_LEASE_EXPIRATIONS)
                    .extracting(TaskError::errorType).containsOnly("lease-expired");
            assertThat(t.finishedAt()).isEqualTo(now());
            assertThat(t.expiresAt()).isEqualTo(now().plus(t.deadRetention()));
            QueueStats s = stats(QUEUE);
            assertThat(s.failedTotal()).isEqualTo(MAX_LEASE_EXPIRATIONS);
            assertThat(s.deadTotal()).isEqualTo(1);
            assertThat(s.poisonedTotal()).isEqualTo(1);
            assertThat(s.count(TaskState.DEAD)).isEqualTo(1);
        }

        @Test
        void outOfAttemptsMakesItDeadAsFailedWithoutCountingPoison() {
            String id = enqueued(newTask().maxAttempts(1));
            claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10));

            RecoverResponse r = recover();

            assertThat(r.dead()).isEqualTo(1);
            TaskInfo t = info(id);
            assertThat(t.state()).isEqualTo(TaskState.DEAD);
            assertThat(t.deadReason()).isEqualTo(DeadReason.FAILED);
            assertThat(t.lastError().errorType()).isEqualTo("lease-expired");
            QueueStats s = stats(QUEUE);
            assertThat(s.failedTotal()).isEqualTo(1);
            assertThat(s.deadTotal()).isEqualTo(1);
            assertThat(s.poisonedTotal()).isZero();
        }

        @Test
        void renewExtendsTheLeaseSoRecoveryDoesNotTakeIt() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(8));

            RenewResponse renewed = broker.renew(new RenewRequest(List.of(t.lease()), Duration.ofSeconds(10)));

            assertThat(renewed.lost()).isEmpty();
            assertThat(renewed.cancelRequested()).isEmpty();
            assertThat(info(id).leaseExpiresAt()).isEqualTo(now().plus(Duration.ofSeconds(10)));
            clock.advance(Duration.ofSeconds(8)); // 16 s after the claim, 8 s into the new lease
            assertThat(recover().requeued()).isZero();
            assertThat(info(id).state()).isEqualTo(TaskState.ACTIVE);
            complete(t, "{}");
        }

        @Test
        void aRenewedLeaseStillExpiresWhenNotRenewedAgain() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(8));
            broker.renew(new RenewRequest(List.of(t.lease()), Duration.ofSeconds(10)));
            clock.advance(Duration.ofSeconds(10));

            assertThat(recover().requeued()).isEqualTo(1);
            assertThat(info(id).state()).isEqualTo(TaskState.PENDING);
        }

        @Test
        void recoveryTakesAtMostLimitTasks() {
            enqueueMany(QUEUE, 3);
            claim(3, QUEUE);
            clock.advance(LEASE);

            assertThat(broker.recoverExpired(new RecoverRequest(MAX_LEASE_EXPIRATIONS, 2)).requeued()).isEqualTo(2);
            assertThat(broker.recoverExpired(new RecoverRequest(MAX_LEASE_EXPIRATIONS, 2)).requeued()).isEqualTo(1);
            assertThat(stats(QUEUE).count(TaskState.PENDING)).isEqualTo(3);
        }
    }

    /** Priority: lower numbers first, FIFO within a priority, earlier run-at first. */
    @Nested
    public class PriorityOrder {

        @Test
        void aLowerPriorityNumberIsClaimedFirst() {
            String p50 = enqueued(newTask().priority(50));
            String p10 = enqueued(newTask().priority(10));
            String p90 = enqueued(newTask().priority(90));
            String p0 = enqueued(newTask().priority(0));

            assertThat(ids(claim(4, QUEUE))).containsExactly(p0, p10, p50, p90);
        }

        @Test
        void tasksOfOnePriorityAreClaimedInEnqueueOrder() {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(enqueued(newTask())); // same instant: only the enqueue order tells them apart
            }
            ids.addAll(enqueueMany(QUEUE, 5));

            List<String> claimed = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                claimed.add(claimOne().id());
            }
            assertThat(claimed).containsExactlyElementsOf(ids);
        }

        @Test
        void aPastRunAtSortsBeforeNow() {
            String now = enqueued(newTask());
            String past = enqueued(newTask().runAt(now().minus(Duration.ofHours(1))));

            assertThat(info(past).state()).isEqualTo(TaskState.PENDING);
            assertThat(info(past).runAt()).isEqualTo(now().minus(Duration.ofHours(1)));
            assertThat(ids(claim(2, QUEUE))).containsExactly(past, now);
        }

        @Test
        void priorityComesBeforeRunAt() {
            String pastButLow = enqueued(newTask().priority(60).runAt(now().minus(Duration.ofHours(1))));
            String urgent = enqueued(newTask().priority(5));

            assertThat(ids(claim(2, QUEUE))).containsExactly(urgent, pastButLow);
        }

        @Test
        void aDueScheduledTaskCompetesWithPendingOnesByPriorityAndRunAt() {
            String pendingEarly = enqueued(newTask().priority(20));
            String delayedUrgent = enqueued(newTask().priority(1).delay(Duration.ofSeconds(5)));
            String delayedMiddle = enqueued(newTask().priority(20).delay(Duration.ofSeconds(3)));
            clock.advance(Duration.ofSeconds(5));
            String pendingLate = enqueued(newTask().priority(20));

            // No promote ran: the due tasks are still SCHEDULED, yet claimed in their place.
            assertThat(ids(claim(4, QUEUE))).containsExactly(delayedUrgent, pendingEarly, delayedMiddle, pendingLate);
        }
    }

    /**
     * Fair claim order: inside a priority, the tenants with pending tasks are served round-robin,
     * and a tenant that arrives next to another's backlog is served within one round.
     */
    @Nested
    public class Fairness {

        /** Enqueues {@code n} tasks of one tenant in one request; their ids start with the tenant. */
        private void backlog(String tenant, int n, int priority) {
            TaskBuilder[] tasks = new TaskBuilder[n];
            for (int i = 0; i < n; i++) {
                tasks[i] = fairTask(tenant, priority);
            }
            assertThat(enqueue(tasks)).extracting(EnqueueResult::status).containsOnly(EnqueueResult.Status.CREATED);
        }

        private TaskBuilder fairTask(String tenant, int priority) {
            TaskBuilder t = newTask().priority(priority);
            t.id(tenant + "~" + t.id());
            return tenant.equals("none") ? t : t.tenant(tenant);
        }

        /** Claims one task at a time, {@code n} times, and names each by its tenant. */
        private List<String> claimTenants(int n) {
            List<String> tenants = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = claimOne().id();
                tenants.add(id.substring(0, id.indexOf('~')));
            }
            return tenants;
        }

        @Test
        void tenantsWithPendingTasksAreServedRoundRobin() {
            backlog("a", 6, 50);
            backlog("b", 3, 50);
            backlog("c", 2, 50);

            assertThat(claimTenants(11)).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "a", "a", "a");
        }

        @Test
        void oneBatchIsPlacedInBatchOrder() {
            enqueue(fairTask("a", 50), fairTask("a", 50), fairTask("a", 50), fairTask("b", 50), fairTask("b", 50));

            assertThat(claimTenants(5)).containsExactly("a", "b", "a", "b", "a");
        }

        @Test
        void aTenantArrivingNextToABacklogIsServedWithinOneRound() {
            backlog("heavy", 200, 50);
            assertThat(claim(120, QUEUE)).hasSize(120);

            backlog("light", 2, 50);

            assertThat(claimTenants(4)).containsExactly("heavy", "light", "heavy", "light");
        }

        @Test
        void claimingInBatchesFollowsTheSameOrder() {
            backlog("a", 4, 50);
            backlog("b", 2, 50);

            List<ClaimedTask> taken = claim(3, QUEUE);
            assertThat(taken).extracting(t -> t.id().substring(0, t.id().indexOf('~'))).containsExactly("a", "b", "a");
            assertThat(claimTenants(3)).containsExactly("b", "a", "a");
        }

        @Test
        void aTenantWhoseTasksWereAllTakenStartsAgainInTheCurrentRound() {
            backlog("a", 3, 50);
            assertThat(claimTenants(3)).containsOnly("a");

            backlog("a", 2, 50);
            backlog("b", 2, 50);

            assertThat(claimTenants(4)).containsExactly("a", "b", "a", "b");
        }

        @Test
        void priorityComesBeforeFairness() {
            backlog("heavy", 5, 10);
            backlog("light", 1, 50);
            backlog("urgent", 1, 0);

            assertThat(claimTenants(7)).containsExactly("urgent", "heavy", "heavy", "heavy", "heavy", "heavy", "light");
        }

        @Test
        void eachPriorityHasItsOwnRounds() {
            backlog("a", 3, 20);
            backlog("b", 3, 40);
            backlog("c", 1, 40);
            backlog("d", 1, 20);

            assertThat(claimTenants(8)).containsExactly("a", "d", "a", "a", "b", "c", "b", "b");
        }

        @Test
        void aBatchSeesItsEarlierTasksWhenPlacingTenantedOnes() {
            backlog("a", 3, 50);
            // the untenanted task with a past run-at becomes the head; the tenanted one joins at it
            enqueue(fairTask("none", 50).runAt(now().minus(Duration.ofMinutes(1))), fairTask("b", 50));

            assertThat(claimTenants(5)).containsExactly("none", "b", "a", "a", "a");
        }

        @Test
        void aCancelledThenRetriedTenantTaskIsPlacedByItsRunAt() {
            backlog("a", 3, 50);
            String b = enqueued(fairTask("b", 50)); // position now: second in claim order
            clock.advance(Duration.ofSeconds(1));
            assertThat(admin(new AdminCommand.Cancel(b))).isEqualTo(1);
            assertThat(admin(new AdminCommand.Retry(b))).isEqualTo(1);

            assertThat(claimTenants(4)).containsExactly("a", "a", "a", "b");
        }

        @Test
        void aTaskWithoutATenantIsPlacedByItsRunAt() {
            backlog("a", 5, 50); // fair positions now, now + 1 ms, ... on a clock that does not move
            backlog("none", 1, 50); // run-at now: after the first of a (same position, later sequence)

            assertThat(claimTenants(6)).containsExactly("a", "none", "a", "a", "a", "a");
        }

        @Test
        void aReleasedTenantTaskIsPlacedByItsRunAt() {
            backlog("a", 3, 50);
            ClaimedTask first = claimOne();
            assertThat(broker.release(new ReleaseRequest(List.of(first.lease()))).released()).isEqualTo(1);

            assertThat(claimOne().id()).isEqualTo(first.id());
            assertThat(info(first.id()).runAt()).isEqualTo(now());
        }

        @Test
        void theTenantTravelsAsAHeaderAndTheRunAtIsUnchanged() {
            String id = enqueued(fairTask("acme", 50));
            backlog("acme", 2, 50);
            enqueued(fairTask("other", 50));

            TaskInfo info = info(id);
            assertThat(info.headers()).containsEntry(dev.ferry.Task.TENANT_HEADER, "acme");
            assertThat(info.runAt()).isEqualTo(now());
            assertThat(claimOne().headers()).containsEntry(dev.ferry.Task.TENANT_HEADER, "acme");
        }

        @Test
        void listingPendingTasksFollowsClaimOrder() {
            backlog("a", 3, 50);
            backlog("b", 2, 50);

            List<String> listed = ids(list(QUEUE, TaskState.PENDING, 0, 10));
            List<String> claimed = ids(claim(5, QUEUE));
            assertThat(listed).containsExactlyElementsOf(claimed);
        }
    }

    /** Queue order: queues are drained in the order given, skipping paused ones. */
    @Nested
    public class QueueOrder {

        @Test
        void claimTakesFromQueuesInTheGivenOrder() {
            List<String> a = enqueueMany("a", 2);
            List<String> b = enqueueMany("b", 3);

            List<String> claimed = ids(claim(4, "b", "a"));

            List<String> expected = new ArrayList<>(b);
            expected.add(a.get(0));
            assertThat(claimed).containsExactlyElementsOf(expected);
        }

        @Test
        void claimFillsMaxAcrossQueues() {
            List<String> a = enqueueMany("a", 1);
            List<String> b = enqueueMany("b", 5);

            assertThat(ids(claim(3, "a", "b"))).containsExactly(a.get(0), b.get(0), b.get(1));
        }

        @Test
        void queueOrderIsStrictOverPriority() {
            String lazy = enqueued(newTask("a").priority(90));
            enqueued(newTask("b").priority(0));

            assertThat(ids(claim(1, "a", "b"))).containsExactly(lazy);
        }

        @Test
        void pausedQueuesAreSkipped() {
            String a = enqueued(newTask("a"));
            String b = enqueued(newTask("b"));
            admin(new AdminCommand.Pause("a"));

            assertThat(ids(claim(5, "a", "b"))).containsExactly(b);
            assertThat(claim(5, "a")).isEmpty();

            admin(new AdminCommand.Resume("a"));
            assertThat(ids(claim(5, "a", "b"))).containsExactly(a);
        }

        @Test
        void onlyTheNamedQueuesAreClaimedFrom() {
            String other = enqueued(newTask("other"));

            assertThat(claim(5, "a", "never-used")).isEmpty();
            assertThat(info(other).state()).isEqualTo(TaskState.PENDING);
        }
    }

    /** Delays: a delayed task becomes ready at its run-at, not a millisecond sooner. */
    @Nested
    public class DelayAccuracy {

        @Test
        void aDelayedTaskIsNotClaimableBeforeItsRunAtAndIsAtIt() {
            String id = enqueued(newTask().delay(Duration.ofSeconds(10)));
            assertThat(info(id).state()).isEqualTo(TaskState.SCHEDULED);
            assertThat(info(id).runAt()).isEqualTo(now().plus(Duration.ofSeconds(10)));

            clock.advance(Duration.ofSeconds(10).minus(ONE_MS));
            assertThat(claim(1, QUEUE)).isEmpty();

            clock.advance(ONE_MS);
            ClaimedTask t = claimOne();
            assertThat(t.id()).isEqualTo(id);
            assertThat(t.attempt()).isEqualTo(1);
        }

        @Test
        void anAbsoluteRunAtIsKeptAndHonoured() {
            Instant at = now().plus(Duration.ofHours(1)).plusMillis(250);
            String id = enqueued(newTask().runAt(at));
            assertThat(info(id).state()).isEqualTo(TaskState.SCHEDULED);
            assertThat(info(id).runAt()).isEqualTo(at);

            clock.set(at.minus(ONE_MS));
            assertThat(claim(1, QUEUE)).isEmpty();

            clock.set(at);
            assertThat(claimOne().id()).isEqualTo(id);
        }

        @Test
        void aRunAtOfNowOrZeroDelayIsPendingAtOnce() {
            String atNow = enqueued(newTask().runAt(now()));
            String noDelay = enqueued(newTask().delay(Duration.ZERO));

            assertThat(info(atNow).state()).isEqualTo(TaskState.PENDING);
            assertThat(info(noDelay).state()).isEqualTo(TaskState.PENDING);
            assertThat(info(noDelay).runAt()).isEqualTo(now());
        }

        @Test
        void statsCountADueTaskAsScheduledUntilPromoted() {
            String soon = enqueued(newTask().delay(Duration.ofSeconds(5)));
            String soonToo = enqueued(newTask().delay(Duration.ofSeconds(5)));
            String later = enqueued(newTask().delay(Duration.ofHours(1)));
            assertThat(stats(QUEUE).count(TaskState.SCHEDULED)).isEqualTo(3);
            assertThat(stats(QUEUE).count(TaskState.PENDING)).isZero();

            clock.advance(Duration.ofSeconds(5));
            assertThat(stats(QUEUE).count(TaskState.SCHEDULED)).isEqualTo(3);
            assertThat(stats(QUEUE).oldestPendingAt()).isNull();

            assertThat(broker.promote(new PromoteRequest(100)).promoted()).isEqualTo(2);
            assertThat(info(soon).state()).isEqualTo(TaskState.PENDING);
            assertThat(info(soonToo).state()).isEqualTo(TaskState.PENDING);
            assertThat(info(later).state()).isEqualTo(TaskState.SCHEDULED);
            QueueStats s = stats(QUEUE);
            assertThat(s.count(TaskState.SCHEDULED)).isEqualTo(1);
            assertThat(s.count(TaskState.PENDING)).isEqualTo(2);
            assertThat(s.oldestPendingAt()).isEqualTo(now());
            assertThat(broker.promote(new PromoteRequest(100)).promoted()).isZero();
        }

        @Test
        void promoteTakesAtMostLimitTasksAcrossQueues() {
            enqueued(newTask("a").delay(Duration.ofSeconds(1)));
            enqueued(newTask("b").delay(Duration.ofSeconds(1)));
            enqueued(newTask("c").delay(Duration.ofSeconds(1)));
            clock.advance(Duration.ofSeconds(1));

            assertThat(broker.promote(new PromoteRequest(2)).promoted()).isEqualTo(2);
            assertThat(broker.promote(new PromoteRequest(2)).promoted()).isEqualTo(1);
            assertThat(broker.stats(List.of()))
                    .allSatisfy(s -> assertThat(s.count(TaskState.PENDING)).isEqualTo(1));
        }

        @Test
        void claimingADueTaskLeavesOtherDueTasksScheduled() {
            String first = enqueued(newTask().delay(Duration.ofSeconds(1)));
            String second = enqueued(newTask().delay(Duration.ofSeconds(2)));
            clock.advance(Duration.ofSeconds(2));

            assertThat(claimOne().id()).isEqualTo(first);
            assertThat(info(second).state()).isEqualTo(TaskState.SCHEDULED);
            assertThat(list(QUEUE, TaskState.SCHEDULED, 0, 10).tasks()).extracting(TaskInfo::id)
                    .containsExactly(second);
        }
    }

    /** Retries: a failed attempt waits out its backoff, then runs as the next attempt. */
    @Nested
    public class RetrySchedule {

        @Test
        void aRetryOutcomeSchedulesTheNextAttempt() {
            String id = enqueued(newTask().maxAttempts(3));
            ClaimedTask t = claimOne();
            TaskError err = error(1, "flaky");

            assertThat(ack(t.lease(), new Outcome.Retry(Duration.ofSeconds(30), err))).isTrue();

            TaskInfo retrying = info(id);
            assertThat(retrying.state()).isEqualTo(TaskState.RETRYING);
            assertThat(retrying.runAt()).isEqualTo(now().plus(Duration.ofSeconds(30)));
            assertThat(retrying.attempt()).isEqualTo(1);
            assertThat(retrying.errors()).containsExactly(err);
            assertThat(retrying.leaseExpiresAt()).isNull();
            QueueStats s = stats(QUEUE);
            assertThat(s.count(TaskState.RETRYING)).isEqualTo(1);
            assertThat(s.failedTotal()).isEqualTo(1);
            assertThat(s.deadTotal()).isZero();

            clock.advance(Duration.ofSeconds(30).minus(ONE_MS));
            assertThat(claim(1, QUEUE)).isEmpty();
            clock.advance(ONE_MS);
            ClaimedTask again = claimOne();
            assertThat(again.id()).isEqualTo(id);
            assertThat(again.attempt()).isEqualTo(2);
        }

        @Test
        void errorsAreRecordedWithTheirAttemptNumbersAndOnlyTheLastTenKept() {
            String id = enqueued(newTask().maxAttempts(20));
            for (int attempt = 1; attempt <= 12; attempt++) {
                ClaimedTask t = claimOne();
                assertThat(t.attempt()).isEqualTo(attempt);
                assertThat(ack(t.lease(), new Outcome.Retry(Duration.ZERO, error(attempt, "fail " + attempt))))
                        .isTrue();
                clock.advance(ONE_MS);
            }

            TaskInfo t = info(id);
            assertThat(t.errors()).extracting(TaskError::attempt)
                    .containsExactly(3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
            assertThat(t.lastError().message()).isEqualTo("fail 12");
            assertThat(stats(QUEUE).failedTotal()).isEqualTo(12);
        }

        @Test
        void aSnoozeDoesNotCountTheAttempt() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne();

            assertThat(ack(t.lease(), new Outcome.Snooze(Duration.ofSeconds(10)))).isTrue();

            TaskInfo snoozed = info(id);
            assertThat(snoozed.state()).isEqualTo(TaskState.SCHEDULED);
            assertThat(snoozed.attempt()).isZero();
            assertThat(snoozed.runAt()).isEqualTo(now().plus(Duration.ofSeconds(10)));
            assertThat(snoozed.errors()).isEmpty();
            assertThat(stats(QUEUE).failedTotal()).isZero();

            clock.advance(Duration.ofSeconds(10).minus(ONE_MS));
            assertThat(claim(1, QUEUE)).isEmpty();
            clock.advance(ONE_MS);
            assertThat(claimOne().attempt()).isEqualTo(1);
        }

        @Test
        void aDueRetryingTaskIsPromoted() {
            String id = enqueued(newTask());
            ClaimedTask t = claimOne();
            ack(t.lease(), new Outcome.Retry(Duration.ofSeconds(3), error(1, "x")));
            clock.advance(Duration.ofSeconds(3));

            assertThat(stats(QUEUE).count(TaskState.RETRYING)).isEqualTo(1);
            assertThat(broker.promote(new PromoteRequest(10)).promoted()).isEqualTo(1);
            assertThat(info(id).state()).isEqualTo(TaskState.PENDING);
            assertThat(info(id).attempt()).isEqualTo(1);
            assertThat(claimOne().attempt()).isEqualTo(2);
        }
    }

    /** The dead set: dead tasks keep why they died, and can be replayed. */
    @Nested
    public class DeadLetterAndReplay {

        @Test
        void aDeadOutcomeStoresTheReasonAndError() {
            String id = enqueued(newTask().deadRetention(Duration.ofDays(3)));
            ClaimedTask t = claimOne();
            TaskError err = error(1, "cannot decode");

            assertThat(ack(t.lease(), new Outcome.Dead(DeadReason.UNPROCESSABLE, err))).isTrue();

            TaskInfo dead = info(id);
            assertThat(dead.state()).isEqualTo(TaskState.DEAD);
            assertThat(dead.deadReason()).isEqualTo(DeadReason.UNPROCESSABLE);
            assertThat(dead.errors()).containsExactly(err);
            assertThat(dead.finishedAt()).isEqualTo(now());
            assertThat(dead.expiresAt()).isEqualTo(now().plus(Duration.ofDays(3)));
            assertThat(dead.leaseExpiresAt()).isNull();
            QueueStats s = stats(QUEUE);
            assertThat(s.failedTotal()).isEqualTo(1);
            assertThat(s.deadTotal()).isEqualTo(1);
            assertThat(s.poisonedTotal()).isZero();
            assertThat(s.count(TaskState.DEAD)).isEqualTo(1);
        }

        @Test
        void aDeadOutcomeWithoutErrorKeepsTheErrorsAsTheyAre() {
            String id = enqueued(newTask());
            ClaimedTask first = claimOne();
            TaskError err = error(1, "first");
            ack(first.lease(), new Outcome.Retry(Duration.ZERO, err));
            ClaimedTask second = claimOne();

            assertThat(ack(second.lease(), new Outcome.Dead(DeadReason.POISON, null))).isTrue();

            assertThat(info(id).errors()).containsExactly(err);
            assertThat(stats(QUEUE).poisonedTotal()).isEqualTo(1);
        }

        @Test
        void replayDeadByQueueReturnsThoseTasksToPendingWithAttemptsReset() {
            String a1 = enqueued(newTask("a"));
            String a2 = enqueued(newTask("a"));
            String b1 = enqueued(newTask("b"));
            for (ClaimedTask t : claim(3, "a", "b")) {
                ack(t.lease(), new Outcome.Dead(DeadReason.FAILED, error(1, "boom")));
            }
            clock.advance(Duration.ofMinutes(1));

            assertThat(admin(new AdminCommand.ReplayDead("a"))).isEqualTo(2);

            for (String id : List.of(a1, a2)) {
                TaskInfo t = info(id);
                assertThat(t.state()).isEqualTo(TaskState.PENDING);
                assertThat(t.attempt()).isZero();
                assertThat(t.runAt()).isEqualTo(now());
                assertThat(t.deadReason()).isNull();
                assertThat(t.finishedAt()).isNull();
                assertThat(t.expiresAt()).isNull();
                assertThat(t.errors()).hasSize(1);
            }
            assertThat(info(b1).state()).isEqualTo(TaskState.DEAD);
            assertThat(claimOne("a", LEASE).attempt()).isEqualTo(1);

            assertThat(admin(new AdminCommand.ReplayDead(null))).isEqualTo(1);
            assertThat(info(b1).state()).isEqualTo(TaskState.PENDING);
            assertThat(admin(new AdminCommand.ReplayDead(null))).isZero();
        }

        @Test
        void adminRetryRunsADeadTaskAgainFromAttemptZero() {
            String id = enqueued(newTask().maxAttempts(1));
            claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10));
            recover(); // out of attempts: dead, one lease expiration
            assertThat(info(id).state()).isEqualTo(TaskState.DEAD);

            assertThat(admin(new AdminCommand.Retry(id))).isEqualTo(1);

            TaskInfo t = info(id);
            assertThat(t.state()).isEqualTo(TaskState.PENDING);
            assertThat(t.attempt()).isZero();
            assertThat(t.leaseExpirations()).isZero();
            assertThat(t.deadReason()).isNull();
            assertThat(t.finishedAt()).isNull();
            assertThat(t.expiresAt()).isNull();
            assertThat(t.runAt()).isEqualTo(now());
            assertThat(t.errors()).extracting(TaskError::errorType).containsExactly("lease-expired");
        }

        @Test
        void adminRetryAppliesToRetryingScheduledAndCancelledTasksOnly() {
            String retrying = enqueued(newTask());
            ClaimedTask t = claimOne();
            ack(t.lease(), new Outcome.Retry(Duration.ofHours(1), error(1, "x")));
            String scheduled = enqueued(newTask().delay(Duration.ofHours(1)));
            String cancelled = enqueued(newTask());
            admin(new AdminCommand.Cancel(cancelled));
            String pending = enqueued(newTask().priority(99));
            String active = enqueued(newTask().priority(0));
            assertThat(claimOne().id()).isEqualTo(active);
            String completed = enqueued(newTask().priority(0));
            complete(claimOne(), "{}");

            assertThat(admin(new AdminCommand.Retry(retrying))).isEqualTo(1);
            assertThat(admin(new AdminCommand.Retry(scheduled))).isEqualTo(1);
            assertThat(admin(new AdminCommand.Retry(cancelled))).isEqualTo(1);
            assertThat(admin(new AdminCommand.Retry(pending))).isZero();
            assertThat(admin(new AdminCommand.Retry(active))).isZero();
            assertThat(admin(new AdminCommand.Retry(completed))).isZero();

            for (String id : List.of(retrying, scheduled, cancelled)) {
                assertThat(info(id).state()).isEqualTo(TaskState.PENDING);
                assertThat(info(id).attempt()).isZero();
                assertThat(info(id).runAt()).isEqualTo(now());
            }
            assertThat(info(active).state()).isEqualTo(TaskState.ACTIVE);
            assertThat(info(completed).state()).isEqualTo(TaskState.COMPLETED);
        }

        @Test
        void statsKeepProcessedFailedAndDeadTotals() {
            enqueueMany(QUEUE, 4);
            List<ClaimedTask> ts = claim(4, QUEUE);
            complete(ts.get(0), "{}");
            complete(ts.get(1), "{}");
            ack(ts.get(2).lease(), new Outcome.Retry(Duration.ofMinutes(1), error(1, "x")));
            ack(ts.get(3).lease(), new Outcome.Dead(DeadReason.FAILED, error(1, "y")));
            admin(new AdminCommand.ReplayDead(QUEUE)); // totals are history: replay keeps them

            QueueStats s = stats(QUEUE);
            assertThat(s.processedTotal()).isEqualTo(2);
            assertThat(s.failedTotal()).isEqualTo(2);
            assertThat(s.deadTotal()).isEqualTo(1);
            assertThat(s.poisonedTotal()).isZero();
        }
    }

    /** Uniqueness: a duplicate id or a held unique key stores nothing and names the existing task. */
    @Nested
    public class Uniqueness {

        @Test
        void aDuplicateIdStoresNothingAndNamesTheExistingTask() {
            String id = enqueued(newTask().payload("{\"v\":1}"));

            EnqueueResult dup = enqueue(newTask().id(id).payload("{\"v\":2}")).get(0);

            assertThat(dup.status()).isEqualTo(EnqueueResult.Status.DUPLICATE_ID);
            assertThat(dup.id()).isEqualTo(id);
            assertThat(info(id).payloadJson()).isEqualTo("{\"v\":1}");
            assertThat(stats(QUEUE).count(TaskState.PENDING)).isEqualTo(1);
        }

        @Test
        void anIdStaysTakenAfterItsTaskFinishedUntilPruned() {
            String id = enqueued(newTask());
            complete(claimOne(), "{}");

            assertThat(enqueue(newTask().id(id)).get(0).status()).isEqualTo(EnqueueResult.Status.DUPLICATE_ID);
            assertThat(enqueue(newTask("elsewhere").id(id)).get(0).status())
                    .isEqualTo(EnqueueResult.Status.DUPLICATE_ID);
        }

        @Test
        void aDuplicateIdInsideOneBatchIsRefused() {
            TaskBuilder first = newTask().payload("{\"v\":1}");
            TaskBuilder again = newTask().id(first.id()).payload("{\"v\":2}");

            List<EnqueueResult> results = enqueue(first, again);

            assertThat(results).extracting(EnqueueResult::id, EnqueueResult::status).containsExactly(
                    tuple(first.id(), EnqueueResult.Status.CREATED),
                    tuple(first.id(), EnqueueResult.Status.DUPLICATE_ID));
            assertThat(info(first.id()).payloadJson()).isEqualTo("{\"v\":1}");
            assertThat(stats(QUEUE).count(TaskState.PENDING)).isEqualTo(1);
        }

        @Test
        void aHeldUniqueKeyRefusesAnotherTaskAndNamesTheHolder() {
            String holder = enqueued(newTask().unique("charge:1", Duration.ofHours(1)));
            TaskBuilder dup = newTask().unique("charge:1", Duration.ofHours(1));

            EnqueueResult r = enqueue(dup).get(0);

            assertThat(r.status()).isEqualTo(EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
            assertThat(r.id()).isEqualTo(holder);
            assertThat(broker.get(dup.id())).isEmpty();
            assertThat(stats(QUEUE).count(TaskState.PENDING)).isEqualTo(1);

            EnqueueResult otherQueue = enqueue(newTask("other").unique("charge:1", Duration.ofHours(1))).get(0);
            assertThat(otherQueue.status()).as("keys are global, not per queue")
                    .isEqualTo(EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
            assertThat(otherQueue.id()).isEqualTo(holder);
        }

        @Test
        void aUniqueKeyTakenEarlierInTheSameBatchIsHeld() {
            TaskBuilder first = newTask().unique("k", Duration.ofHours(1));
            TaskBuilder second = newTask().unique("k", Duration.ofHours(1));
            TaskBuilder other = newTask().unique("other", Duration.ofHours(1));

            List<EnqueueResult> results = enqueue(first, second, other);

            assertThat(results).extracting(EnqueueResult::id, EnqueueResult::status).containsExactly(
                    tuple(first.id(), EnqueueResult.Status.CREATED),
                    tuple(first.id(), EnqueueResult.Status.DUPLICATE_UNIQUE_KEY),
                    tuple(other.id(), EnqueueResult.Status.CREATED));
            assertThat(broker.get(second.id())).isEmpty();
        }

        @Test
        void theIdIsCheckedBeforeTheUniqueKey() {
            String holder = enqueued(newTask().unique("k", Duration.ofHours(1)));

            EnqueueResult r = enqueue(newTask().id(holder).unique("k", Duration.ofHours(1))).get(0);

            assertThat(r.status()).isEqualTo(EnqueueResult.Status.DUPLICATE_ID);
        }

        @Test
        void theKeyIsHeldWhileTheHolderIsUnfinished() {
            String holder = enqueued(newTask().unique("k", Duration.ofHours(1)));
            ClaimedTask t = claimOne();
            assertThat(enqueue(newTask().unique("k", Duration.ofHours(1))).get(0).status())
                    .as("while active").isEqualTo(EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);

            ack(t.lease(), new Outcome.Retry(Duration.ofMinutes(1), error(1, "x")));
            EnqueueResult r = enqueue(newTask().unique("k", Duration.ofHours(1))).get(0);
            assertThat(r.status()).as("while retrying").isEqualTo(EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
            assertThat(r.id()).isEqualTo(holder);
        }

        @Test
        void theKeyIsReleasedWhenTheHolderCompletes() {
            enqueued(newTask().unique("k", Duration.ofHours(1)));
            complete(claimOne(), "{}");

            enqueued(newTask().unique("k", Duration.ofHours(1)));
        }

        @Test
        void theKeyIsReleasedWhenTheHolderDies() {
            enqueued(newTask().unique("k", Duration.ofHours(1)));
            claimAndKill();

            enqueued(newTask().unique("k", Duration.ofHours(1)));
        }

        @Test
        void theKeyIsReleasedWhenRecoveryKillsTheHolder() {
            enqueued(newTask().unique("k", Duration.ofHours(1)).maxAttempts(1));
            claimOne(QUEUE, Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10));
            assertThat(recover().dead()).isEqualTo(1);

            enqueued(newTask().unique("k", Duration.ofHours(1)));
        }

        @Test
        void theKeyIsReleasedWhenTheHolderIsCancelled() {
            String queued = enqueued(newTask().unique("k", Duration.ofHours(1)));
            assertThat(admin(new AdminCommand.Cancel(queued))).isEqualTo(1);
            enqueued(newTask("other").unique("k", Duration.ofHours(1)));
        }

        @Test
        void theKeyIsReleasedWhenARunningHolderAcksCancelled() {
            String id = enqueued(newTask().unique("k", Duration.ofHours(1)));
            ClaimedTask t = claimOne();
            admin(new AdminCommand.Cancel(id));
            assertThat(enqueue(newTask().unique("k", Duration.ofHours(1))).get(0).duplicate()).isTrue();

            assertThat(ack(t.lease(), new Outcome.Cancelled())).isTrue();
            enqueued(newTask().unique("k", Duration.ofHours(1)));
        }

        @Test
        void theKeyIsReleasedWhenTheHolderIsDeleted() {
            String id = enqueued(newTask().unique("k", Duration.ofHours(1)));
            assertThat(admin(new AdminCommand.Delete(id))).isEqualTo(1);

            enqueued(newTask().unique("k", Duration.ofHours(1)));
        }

        @Test
        void theKeyIsReleasedAfterUniqueForEvenWhileTheHolderIsPending() {
            String holder = enqueued(newTask().unique("k", Duration.ofMinutes(10)));

            clock.advance(Duration.ofMinutes(10).minus(ONE_MS));
            assertThat(enqueue(newTask().unique("k", Duration.ofMinutes(10))).get(0).id()).isEqualTo(holder);

            clock.advance(ONE_MS);
            String next = enqueued(newTask().unique("k", Duration.ofMinutes(10)));
            assertThat(info(holder).state()).isEqualTo(TaskState.PENDING);

            // The old holder finishing must not free the key the new holder took.
            complete(claimOne(), "{}");
            EnqueueResult r = enqueue(newTask().unique("k", Duration.ofMinutes(10))).get(0);
            assertThat(r.status()).isEqualTo(EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
            assertThat(r.id()).isEqualTo(next);
        }

        @Test
        void tasksWithoutAKeyOrWithOtherKeysNeverCollide() {
            enqueued(newTask());
            enqueued(newTask());
            enqueued(newTask().unique("a", Duration.ofHours(1)));
            enqueued(newTask().unique("b", Duration.ofHours(1)));

            assertThat(stats(QUEUE).count(TaskState.PENDING)).isEqualTo(4);
        }
    }

    /** Pause: a paused queue is not claimed from; pause and resume report whether they changed it. */
    @Nested
    public class Pause {

        @Test
        void pauseAndResumeAffectClaimsAndStats() {
            String id = enqueued(newTask());

            assertThat(admin(new AdminCommand.Pause(QUEUE))).isEqualTo(1);
            assertThat(admin(new AdminCommand.Pause(QUEUE))).isZero();
            assertThat(stats(QUEUE).paused()).isTrue();
            assertThat(claim(1, QUEUE)).isEmpty();

            assertThat(admin(new AdminCommand.Resume(QUEUE))).isEqualTo(1);
            assertThat(admin(new AdminCommand.Resume(QUEUE))).isZero();
            assertThat(stats(QUEUE).paused()).isFalse();
            assertThat(claimOne().id()).isEqualTo(id);
        }

        @Test
        void aPausedQueueStillAcceptsTasksAndItsRunningTasksFinish() {
            enqueued(newTask());
            ClaimedTask running = claimOne();
            admin(new AdminCommand.Pause(QUEUE));

            enqueued(newTask());
            complete(running, "{}");

            QueueStats s = stats(QUEUE);
            assertThat(s.count(TaskState.PENDING)).isEqualTo(1);
            assertThat(s.count(TaskState.COMPLETED)).isEqualTo(1);
        }

        @Test
        void pausingAnUnknownQueueMakesItKnown() {
            assertThat(admin(new AdminCommand.Pause("fresh"))).isEqualTo(1);

            assertThat(broker.stats(List.of())).extracting(QueueStats::queue, QueueStats::paused)
                    .containsExactly(tuple("fresh", true));
            assertThat(admin(new AdminCommand.Resume("never-seen"))).isZero();
        }
    }

    /** Cancel: queued tasks stop at once; a running one is asked to stop through its renew. */
    @Nested
    public class Cancel {

        @Test
        void cancellingQueuedTasksFinishesThemAsCancelled() {
            String pending = enqueued(newTask().retention(Duration.ofHours(2)));
            String scheduled = enqueued(newTask().delay(Duration.ofMinutes(5)));
            String retrying = enqueued(newTask().priority(0));
            ClaimedTask t = claimOne();
            ack(t.lease(), new Outcome.Retry(Duration.ofMinutes(5), error(1, "x")));

            for (String id : List.of(pending, scheduled, retrying)) {
                assertThat(admin(new AdminCommand.Cancel(id))).as("cancel %s", id).isEqualTo(1);
                TaskInfo c = info(id);
                assertThat(c.state()).isEqualTo(TaskState.CANCELLED);
                assertThat(c.finishedAt()).isEqualTo(now());
                assertThat(c.expiresAt()).isEqualTo(now().plus(c.retention()));
            }
            assertThat(info(pending).expiresAt()).isEqualTo(now().plus(Duration.ofHours(2)));
            clock.advance(Duration.ofMinutes(5));
            assertThat(claim(10, QUEUE)).isEmpty();
            assertThat(stats(QUEUE).count(TaskState.CANCELLED)).isEqualTo(3);
        }

        @Test
        void cancellingARunningTaskRequestsCancelThroughRenew() {
            String id = enqueued(newTask());
            String other = enqueued(newTask());
            List<ClaimedTask> ts = claim(2, QUEUE);

            assertThat(admin(new AdminCommand.Cancel(id))).isEqualTo(1);

            assertThat(info(id).state()).isEqualTo(TaskState.ACTIVE);
            assertThat(info(id).cancelRequested()).isTrue();
            RenewResponse r = broker.renew(new RenewRequest(ts.stream().map(ClaimedTask::lease).toList(), LEASE));
            assertThat(r.cancelRequested()).containsExactly(id);
            assertThat(r.lost()).isEmpty();
            assertThat(info(other).cancelRequested()).isFalse();

            ClaimedTask cancelled = ts.stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
            assertThat(ack(cancelled.lease(), new Outcome.Cancelled())).isTrue();
            TaskInfo c = info(id);
            assertThat(c.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(c.finishedAt()).isEqualTo(now());
            assertThat(c.expiresAt()).isEqualTo(now().plus(c.retention()));
            assertThat(c.leaseExpiresAt()).isNull();
        }

        @Test
        void cancellingAFinishedOrMissingTaskChangesNothing() {
            String completed = enqueued(newTask());
            complete(claimOne(), "{}");
            String dead = enqueued(newTask());
            claimAndKill();
            String cancelled = enqueued(newTask());
            admin(new AdminCommand.Cancel(cancelled));

            assertThat(admin(new AdminCommand.Cancel(completed))).isZero();
            assertThat(admin(new AdminCommand.Cancel(dead))).isZero();
            assertThat(admin(new AdminCommand.Cancel(cancelled))).isZero();
            assertThat(admin(new AdminCommand.Cancel("no-such-task"))).isZero();
            assertThat(info(completed).state()).isEqualTo(TaskState.COMPLETED);
            assertThat(info(dead).state()).isEqualTo(TaskState.DEAD);
        }

        @Test
        void aNewClaimClearsAnOldCancelRequest() {
            String id = enqueued(newTask());
            claimOne(QUEUE, Duration.ofSeconds(10));
            admin(new AdminCommand.Cancel(id));
            clock.advance(Duration.ofSeconds(10));
            recover();

            ClaimedTask again = claimOne();

            assertThat(info(id).cancelRequested()).isFalse();
            assertThat(broker.renew(new RenewRequest(List.of(again.lease()), LEASE)).cancelRequested()).isEmpty();
        }
    }

    /** Retention: finished tasks are kept with their results until retention, then pruned. */
    @Nested
    public class RetentionAndPruning {

        @Test
        void aCompletedTaskIsKeptWithItsResultUntilRetentionThenPruned() {
            String id = enqueued(newTask().retention(Duration.ofHours(1)));
            complete(claimOne(), "{\"total\":42}");

            clock.advance(Duration.ofHours(1).minus(ONE_MS));
            assertThat(broker.prune(new PruneRequest(100)).pruned()).isZero();
            assertThat(info(id).resultJson()).isEqualTo("{\"total\":42}");

            clock.advance(ONE_MS);
            assertThat(broker.prune(new PruneRequest(100)).pruned()).isEqualTo(1);
            assertThat(broker.get(id)).isEmpty();
            assertThat(stats(QUEUE).count(TaskState.COMPLETED)).isZero();
            assertThat(stats(QUEUE).processedTotal()).isEqualTo(1);

            enqueued(newTask().id(id)); // a pruned id can be used again
        }

        @Test
        void aDeadTaskIsKeptForItsDeadRetention() {
            String id = enqueued(newTask().retention(Duration.ofHours(1)).deadRetention(Duration.ofDays(7)));
            claimAndKill();

            clock.advance(Duration.ofDays(7).minus(ONE_MS));
            assertThat(broker.prune(new PruneRequest(100)).pruned()).isZero();
            assertThat(info(id).state()).isEqualTo(TaskState.DEAD);

            clock.advance(ONE_MS);
            assertThat(broker.prune(new PruneRequest(100)).pruned()).isEqualTo(1);
            assertThat(broker.get(id)).isEmpty();
        }

        @Test
        void aCancelledTaskIsKeptForItsRetention() {
            String id = enqueued(newTask().retention(Duration.ofMinutes(30)));
            admin(new AdminCommand.Cancel(id));

            clock.advance(Duration.ofMinutes(30).minus(ONE_MS));
            assertThat(broker.prune(new PruneRequest(100)).pruned()).isZero();
            clock.advance(ONE_MS);
            assertThat(broker.prune(new PruneRequest(100)).pruned()).isEqualTo(1);
            assertThat(broker.get(id)).isEmpty();
        }

        @Test
        void pruneTakesAtMostLimitTasks() {
            enqueueMany(QUEUE, 3);
            claim(3, QUEUE).forEach(t -> complete(t, "{}"));
            clock.advance(Duration.ofHours(1));

            assertThat(broker.prune(new PruneRequest(2)).pruned()).isEqualTo(2);
            assertThat(broker.prune(new PruneRequest(2)).pruned()).isEqualTo(1);
            assertThat(broker.prune(new PruneRequest(2)).pruned()).isZero();
        }

        @Test
        void pruneNeverDeletesUnfinishedTasks() {
            String pending = enqueued(newTask());
            String scheduled = enqueued(newTask().delay(Duration.ofDays(400)));
            String active = enqueued(newTask().priority(0));
            claimOne(QUEUE, Duration.ofDays(365));
            String retrying = enqueued(newTask().priority(0));
            ack(claimOne().lease(), new Outcome.Retry(Duration.ofDays(400), error(1, "x")));
            clock.advance(Duration.ofDays(364));

            assertThat(broker.prune(new PruneRequest(100)).pruned()).isZero();
            for (String id : List.of(pending, scheduled, active, retrying)) {
                assertThat(broker.get(id)).as(id).isPresent();
            }
        }

        @Test
        void purgeDeletesTheQueuesTasksInTheGivenStatesButNeverActiveOnes() {
            String pending = enqueued(newTask().priority(90));
            String active = enqueued(newTask().priority(0));
            assertThat(claimOne().id()).isEqualTo(active);
            String dead = enqueued(newTask().priority(0));
            claimAndKill();
            String scheduled = enqueued(newTask().delay(Duration.ofHours(1)));
            String elsewhere = enqueued(newTask("other"));

            long n = admin(new AdminCommand.Purge(QUEUE,
                    EnumSet.of(TaskState.PENDING, TaskState.DEAD, TaskState.ACTIVE)));

            assertThat(n).isEqualTo(2);
            assertThat(broker.get(pending)).isEmpty();
            assertThat(broker.get(dead)).isEmpty();
            assertThat(broker.get(active)).isPresent();
            assertThat(broker.get(scheduled)).isPresent();
            assertThat(broker.get(elsewhere)).isPresent();
            assertThat(admin(new AdminCommand.Purge(QUEUE, EnumSet.of(TaskState.ACTIVE)))).isZero();
            assertThat(stats(QUEUE).count(TaskState.ACTIVE)).isEqualTo(1);
        }

        @Test
        void purgeReleasesUniqueKeys() {
            enqueued(newTask().unique("k", Duration.ofHours(1)));
            admin(new AdminCommand.Purge(QUEUE, EnumSet.of(TaskState.PENDING)));

            enqueued(newTask().unique("k", Duration.ofHours(1)));
        }

        @Test
        void deleteRemovesAnyTaskThatIsNotActive() {
            String pending = enqueued(newTask().priority(90));
            String active = enqueued(newTask().priority(0));
            claimOne();
            String completed = enqueued(newTask().priority(0));
            complete(claimOne(), "{}");

            assertThat(admin(new AdminCommand.Delete(active))).isZero();
            assertThat(info(active).state()).isEqualTo(TaskState.ACTIVE);
            assertThat(admin(new AdminCommand.Delete(pending))).isEqualTo(1);
            assertThat(admin(new AdminCommand.Delete(completed))).isEqualTo(1);
            assertThat(admin(new AdminCommand.Delete(pending))).isZero();
            assertThat(broker.get(pending)).isEmpty();
            assertThat(broker.get(completed)).isEmpty();
            enqueued(newTask().id(pending)); // a deleted id can be used again
        }
    }

    /** Batching: one call claims, acks or renews many, each fenced on its own. */
    @Nested
    public class Batching {

        @Test
        void oneClaimReturnsUpToMax() {
            enqueueMany(QUEUE, 10);

            assertThat(claim(4, QUEUE)).hasSize(4);
            assertThat(claim(4, QUEUE)).hasSize(4);
            assertThat(claim(4, QUEUE)).hasSize(2);
            assertThat(claim(4, QUEUE)).isEmpty();
        }

        @Test
        void oneAckAppliesManyOutcomesRejectingOnlyTheFencedOutOnes() {
            String stale = enqueued(newTask().priority(0));
            ClaimedTask staleTask = claimOne(QUEUE, Duration.ofSeconds(5));
            List<String> ids = enqueueMany(QUEUE, 4);
            List<ClaimedTask> ts = claim(4, QUEUE);
            assertThat(ids(ts)).containsExactlyElementsOf(ids);
            clock.advance(Duration.ofSeconds(5));
            Lease forged = new Lease(ids.get(3), ts.get(3).lease().token() + 1_000_003);

            Set<String> rejected = broker.ack(new AckRequest(List.of(
                    new Ack(staleTask.lease(), new Outcome.Completed("{}")),
                    new Ack(ts.get(0).lease(), new Outcome.Completed("{\"ok\":true}")),
                    new Ack(ts.get(1).lease(), new Outcome.Retry(Duration.ofMinutes(1), error(1, "x"))),
                    new Ack(ts.get(2).lease(), new Outcome.Dead(DeadReason.FAILED, error(1, "y"))),
                    new Ack(forged, new Outcome.Completed("{}"))))).rejected();

            assertThat(rejected).containsExactlyInAnyOrder(stale, ids.get(3));
            assertThat(info(stale).state()).isEqualTo(TaskState.ACTIVE);
            assertThat(info(ids.get(0)).state()).isEqualTo(TaskState.COMPLETED);
            assertThat(info(ids.get(0)).resultJson()).isEqualTo("{\"ok\":true}");
            assertThat(info(ids.get(1)).state()).isEqualTo(TaskState.RETRYING);
            assertThat(info(ids.get(2)).state()).isEqualTo(TaskState.DEAD);
            assertThat(info(ids.get(3)).state()).isEqualTo(TaskState.ACTIVE);
        }

        @Test
        void oneRenewExtendsManyLeasesAndReportsTheLostOnes() {
            String expired = enqueued(newTask().priority(0));
            ClaimedTask expiredTask = claimOne(QUEUE, Duration.ofSeconds(5));
            List<String> ids = enqueueMany(QUEUE, 3);
            List<ClaimedTask> ts = claim(3, QUEUE);
            clock.advance(Duration.ofSeconds(5));
            List<Lease> leases = new ArrayList<>(ts.stream().map(ClaimedTask::lease).toList());
            leases.add(expiredTask.lease());
            leases.add(new Lease("no-such-task", 1));

            RenewResponse r = broker.renew(new RenewRequest(leases, Duration.ofMinutes(2)));

            assertThat(r.lost()).containsExactlyInAnyOrder(expired, "no-such-task");
            assertThat(r.cancelRequested()).isEmpty();
            for (String id : ids) {
                assertThat(info(id).leaseExpiresAt()).isEqualTo(now().plus(Duration.ofMinutes(2)));
            }
            assertThat(info(expired).leaseExpiresAt()).isEqualTo(expiredTask.leaseExpiresAt());
        }

        @Test
        void oneReleaseGivesBackManyLeasesWithoutCountingTheAttempts() {
            List<String> ids = enqueueMany(QUEUE, 3);
            List<ClaimedTask> ts = claim(3, QUEUE);
            Instant runAt = info(ids.get(0)).runAt();
            clock.advance(Duration.ofSeconds(1));
            complete(ts.get(2), "{}");

            int released = broker.release(new ReleaseRequest(ts.stream().map(ClaimedTask::lease).toList()))
                    .released();

            assertThat(released).isEqualTo(2);
            for (String id : ids.subList(0, 2)) {
                TaskInfo t = info(id);
                assertThat(t.state()).isEqualTo(TaskState.PENDING);
                assertThat(t.attempt()).isZero();
                assertThat(t.runAt()).isEqualTo(runAt);
                assertThat(t.leaseExpiresAt()).isNull();
            }
            // A released task keeps its place ahead of newer ones.
            enqueued(newTask());
            assertThat(ids(claim(2, QUEUE))).containsExactly(ids.get(0), ids.get(1));
        }
    }

    /** Inspection: get, list and stats show what is stored, in the documented orders. */
    @Nested
    public class Inspection {

        @Test
        void getReturnsEveryFieldThroughTheLifecycle() {
            Instant enqueuedAt = now();
            String id = enqueued(newTask().type("report.build").payload("{\"month\":\"2030-01\"}").priority(7)
                    .maxAttempts(4).timeout(Duration.ofSeconds(45)).unique("report:2030-01", Duration.ofHours(6))
                    .retention(Duration.ofHours(2)).deadRetention(Duration.ofDays(3))
                    .header("traceparent", "00-abc-def-01").header("tenant", "acme"));

            TaskInfo p = info(id);
            assertThat(p.id()).isEqualTo(id);
            assertThat(p.queue()).isEqualTo(QUEUE);
            assertThat(p.type()).isEqualTo("report.build");
            assertThat(p.payloadJson()).isEqualTo("{\"month\":\"2030-01\"}");
            assertThat(p.priority()).isEqualTo(7);
            assertThat(p.state()).isEqualTo(TaskState.PENDING);
            assertThat(p.attempt()).isZero();
            assertThat(p.maxAttempts()).isEqualTo(4);
            assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(45));
            assertThat(p.runAt()).isEqualTo(enqueuedAt);
            assertThat(p.enqueuedAt()).isEqualTo(enqueuedAt);
            assertThat(p.startedAt()).isNull();
            assertThat(p.finishedAt()).isNull();
            assertThat(p.expiresAt()).isNull();
            assertThat(p.leaseExpiresAt()).isNull();
            assertThat(p.workerId()).isNull();
            assertThat(p.uniqueKey()).isEqualTo("report:2030-01");
            assertThat(p.progressJson()).isNull();
            assertThat(p.resultJson()).isNull();
            assertThat(p.errors()).isEmpty();
            assertThat(p.leaseExpirations()).isZero();
            assertThat(p.cancelRequested()).isFalse();
            assertThat(p.deadReason()).isNull();
            assertThat(p.headers()).containsOnly(Map.entry("traceparent", "00-abc-def-01"), Map.entry("tenant", "acme"));
            assertThat(p.retention()).isEqualTo(Duration.ofHours(2));
            assertThat(p.deadRetention()).isEqualTo(Duration.ofDays(3));

            clock.advance(Duration.ofSeconds(1));
            Instant firstStart = now();
            ClaimedTask first = claimOne();
            assertThat(broker.progress(new ProgressRequest(first.lease(), "{\"pct\":40}"))).isTrue();
            TaskInfo a = info(id);
            assertThat(a.state()).isEqualTo(TaskState.ACTIVE);
            assertThat(a.attempt()).isEqualTo(1);
            assertThat(a.startedAt()).isEqualTo(firstStart);
            assertThat(a.leaseExpiresAt()).isEqualTo(firstStart.plus(LEASE));
            assertThat(a.workerId()).isEqualTo(WORKER);
            assertThat(a.progressJson()).isEqualTo("{\"pct\":40}");

            TaskError err = error(1, "timeout talking to db");
            ack(first.lease(), new Outcome.Retry(Duration.ZERO, err));
            clock.advance(Duration.ofSeconds(1));
            Instant secondStart = now();
            ClaimedTask second = claimOne();
            clock.advance(Duration.ofSeconds(1));
            complete(second, "{\"rows\":12}");

            TaskInfo c = info(id);
            assertThat(c.state()).isEqualTo(TaskState.COMPLETED);
            assertThat(c.attempt()).isEqualTo(2);
            assertThat(c.startedAt()).isEqualTo(secondStart);
            assertThat(c.finishedAt()).isEqualTo(now());
            assertThat(c.expiresAt()).isEqualTo(now().plus(Duration.ofHours(2)));
            assertThat(c.leaseExpiresAt()).isNull();
            assertThat(c.workerId()).as("the worker that last held it").isEqualTo(WORKER);
            assertThat(c.resultJson()).isEqualTo("{\"rows\":12}");
            assertThat(c.errors()).containsExactly(err);
            assertThat(c.enqueuedAt()).isEqualTo(enqueuedAt);
            assertThat(c.payloadJson()).isEqualTo("{\"month\":\"2030-01\"}");
        }

        @Test
        void listShowsPendingTasksInClaimOrder() {
            String a = enqueued(newTask().priority(50));
            String b = enqueued(newTask().priority(10));
            String c = enqueued(newTask().priority(50).runAt(now().minus(Duration.ofMinutes(1))));
            String d = enqueued(newTask().priority(50));

            assertThat(ids(list(QUEUE, TaskState.PENDING, 0, 10))).containsExactly(b, c, a, d);
            assertThat(ids(claim(4, QUEUE))).containsExactly(b, c, a, d);
        }

        @Test
        void listPagesWithOffsetLimitAndHasMore() {
            List<String> ids = enqueueMany(QUEUE, 5);

            TaskPage first = list(QUEUE, TaskState.PENDING, 0, 2);
            assertThat(ids(first)).containsExactlyElementsOf(ids.subList(0, 2));
            assertThat(first.hasMore()).isTrue();
            TaskPage second = list(QUEUE, TaskState.PENDING, 2, 2);
            assertThat(ids(second)).containsExactlyElementsOf(ids.subList(2, 4));
            assertThat(second.hasMore()).isTrue();
            TaskPage last = list(QUEUE, TaskState.PENDING, 4, 2);
            assertThat(ids(last)).containsExactly(ids.get(4));
            assertThat(last.hasMore()).isFalse();
            TaskPage exact = list(QUEUE, TaskState.PENDING, 3, 2);
            assertThat(ids(exact)).containsExactlyElementsOf(ids.subList(3, 5));
            assertThat(exact.hasMore()).isFalse();
            TaskPage beyond = list(QUEUE, TaskState.PENDING, 10, 2);
            assertThat(beyond.tasks()).isEmpty();
            assertThat(beyond.hasMore()).isFalse();
        }

        @Test
        void listShowsScheduledAndRetryingTasksByRunAt() {
            String in30 = enqueued(newTask().delay(Duration.ofSeconds(30)));
            String in10 = enqueued(newTask().delay(Duration.ofSeconds(10)).priority(90));
            String in20 = enqueued(newTask().delay(Duration.ofSeconds(20)).priority(0));
            assertThat(ids(list(QUEUE, TaskState.SCHEDULED, 0, 10))).containsExactly(in10, in20, in30);

            List<String> ids = enqueueMany("r", 3);
            List<ClaimedTask> ts = claim(3, "r");
            ack(ts.get(0).lease(), new Outcome.Retry(Duration.ofSeconds(50), error(1, "x")));
            ack(ts.get(1).lease(), new Outcome.Retry(Duration.ofSeconds(5), error(1, "x")));
            ack(ts.get(2).lease(), new Outcome.Retry(Duration.ofSeconds(25), error(1, "x")));
            assertThat(ids(list("r", TaskState.RETRYING, 0, 10)))
                    .containsExactly(ids.get(1), ids.get(2), ids.get(0));
        }

        @Test
        void listShowsActiveTasksByStartAndFinishedTasksMostRecentFirst() {
            List<String> ids = enqueueMany(QUEUE, 3);
            List<ClaimedTask> ts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ts.add(claimOne());
                clock.advance(Duration.ofSeconds(1));
            }
            assertThat(ids(list(QUEUE, TaskState.ACTIVE, 0, 10))).containsExactlyElementsOf(ids);

            complete(ts.get(1), "{}");
            clock.advance(Duration.ofSeconds(1));
            complete(ts.get(0), "{}");
            clock.advance(Duration.ofSeconds(1));
            complete(ts.get(2), "{}");
            assertThat(ids(list(QUEUE, TaskState.COMPLETED, 0, 10)))
                    .containsExactly(ids.get(2), ids.get(0), ids.get(1));
            assertThat(list(QUEUE, TaskState.ACTIVE, 0, 10).tasks()).isEmpty();
        }

        @Test
        void listShowsDeadAndCancelledTasksMostRecentFirst() {
            List<String> dead = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                dead.add(enqueued(newTask()));
                claimAndKill();
                clock.advance(Duration.ofSeconds(1));
            }
            String c1 = enqueued(newTask("c"));
            String c2 = enqueued(newTask("c"));
            admin(new AdminCommand.Cancel(c2));
            clock.advance(Duration.ofSeconds(1));
            admin(new AdminCommand.Cancel(c1));

            assertThat(ids(list(QUEUE, TaskState.DEAD, 0, 10))).containsExactly(dead.get(1), dead.get(0));
            assertThat(ids(list("c", TaskState.CANCELLED, 0, 10))).containsExactly(c1, c2);
        }

        @Test
        void listWithoutAQueueCoversAllQueuesAndWithOneOnlyThatQueue() {
            String a = enqueued(newTask("a"));
            String b = enqueued(newTask("b"));

            assertThat(ids(list(null, TaskState.PENDING, 0, 10))).containsExactlyInAnyOrder(a, b);
            assertThat(ids(list("a", TaskState.PENDING, 0, 10))).containsExactly(a);
            assertThat(list("a", TaskState.COMPLETED, 0, 10).tasks()).isEmpty();
        }

        @Test
        void statsCoverEveryKnownQueueSortedByName() {
            enqueued(newTask("bravo"));
            enqueued(newTask("alpha"));
            enqueued(newTask("charlie"));
            admin(new AdminCommand.Pause("delta"));

            assertThat(broker.stats(List.of())).extracting(QueueStats::queue)
                    .containsExactly("alpha", "bravo", "charlie", "delta");
            assertThat(broker.stats(List.of("charlie", "alpha"))).extracting(QueueStats::queue)
                    .containsExactly("alpha", "charlie");
        }

        @Test
        void statsCountEveryStateAndTheOldestPendingTask() {
            assertThat(stats(QUEUE).oldestPendingAt()).isNull();
            Instant past = now().minus(Duration.ofMinutes(3));
            enqueued(newTask().priority(0));
            enqueued(newTask().priority(1));
            enqueued(newTask().priority(2));
            enqueued(newTask().priority(3));
            enqueued(newTask().priority(4));
            List<ClaimedTask> ts = claim(5, QUEUE);
            ack(ts.get(0).lease(), new Outcome.Completed("{}"));
            ack(ts.get(1).lease(), new Outcome.Dead(DeadReason.FAILED, error(1, "x")));
            ack(ts.get(2).lease(), new Outcome.Retry(Duration.ofMinutes(1), error(1, "x")));
            ack(ts.get(3).lease(), new Outcome.Cancelled());
            enqueued(newTask().delay(Duration.ofMinutes(1)));
            clock.advance(Duration.ofSeconds(10));
            enqueued(newTask());
            enqueued(newTask().runAt(past));

            QueueStats s = stats(QUEUE);
            assertThat(s.queue()).isEqualTo(QUEUE);
            assertThat(s.paused()).isFalse();
            assertThat(s.counts()).containsOnly(
                    Map.entry(TaskState.SCHEDULED, 1L), Map.entry(TaskState.PENDING, 2L),
                    Map.entry(TaskState.ACTIVE, 1L), Map.entry(TaskState.RETRYING, 1L),
                    Map.entry(TaskState.WAITING, 0L), Map.entry(TaskState.COMPLETED, 1L),
                    Map.entry(TaskState.DEAD, 1L), Map.entry(TaskState.CANCELLED, 1L));
            assertThat(s.oldestPendingAt()).isEqualTo(past);
            assertThat(s.processedTotal()).isEqualTo(1);
            assertThat(s.failedTotal()).isEqualTo(2);
            assertThat(s.deadTotal()).isEqualTo(1);
        }
    }

    /** Coordination: idempotency records, leader leases and worker heartbeats. */
    @Nested
    public class Coordination {

        @Test
        void idempotencyStoresIfAbsentAndNeverOverwritesUntilTheTtlEnds() {
            Duration ttl = Duration.ofMinutes(10);
            assertThat(broker.idempotency(new IdempotencyRequest("k", null, ttl))).isEmpty();
            assertThat(broker.idempotency(new IdempotencyRequest("k", "\"A\"", ttl))).contains("\"A\"");
            assertThat(broker.idempotency(new IdempotencyRequest("k", "\"B\"", ttl))).contains("\"A\"");
            assertThat(broker.idempotency(new IdempotencyRequest("other", "\"C\"", ttl))).contains("\"C\"");

            clock.advance(ttl.minus(ONE_MS));
            assertThat(broker.idempotency(new IdempotencyRequest("k", null, ttl))).contains("\"A\"");

            clock.advance(ONE_MS);
            assertThat(broker.idempotency(new IdempotencyRequest("k", null, ttl))).isEmpty();
            assertThat(broker.idempotency(new IdempotencyRequest("k", "\"D\"", ttl))).contains("\"D\"");
            broker.prune(new PruneRequest(100));
            assertThat(broker.idempotency(new IdempotencyRequest("k", null, ttl))).contains("\"D\"");
        }

        @Test
        void leadGrantsDeniesExtendsAndExpires() {
            Duration ttl = Duration.ofSeconds(10);
            Instant start = now();

            LeaderResponse a = broker.lead(new LeaderRequest("cron", "node-a", ttl));
            assertThat(a).isEqualTo(new LeaderResponse(true, "node-a", start.plus(ttl)));

            LeaderResponse b = broker.lead(new LeaderRequest("cron", "node-b", ttl));
            assertThat(b).isEqualTo(new LeaderResponse(false, "node-a", start.plus(ttl)));
            assertThat(broker.lead(new LeaderRequest("other", "node-b", ttl)).leader()).isTrue();

            clock.advance(Duration.ofSeconds(6));
            assertThat(broker.lead(new LeaderRequest("cron", "node-a", ttl)))
                    .isEqualTo(new LeaderResponse(true, "node-a", now().plus(ttl)));

            clock.advance(ttl.minus(ONE_MS));
            assertThat(broker.lead(new LeaderRequest("cron", "node-b", ttl)).leader()).isFalse();
            clock.advance(ONE_MS);
            assertThat(broker.lead(new LeaderRequest("cron", "node-b", ttl)))
                    .isEqualTo(new LeaderResponse(true, "node-b", now().plus(ttl)));
            assertThat(broker.lead(new LeaderRequest("cron", "node-a", ttl)).holder()).isEqualTo("node-b");
        }

        @Test
        void heartbeatsListWorkersForSixtySeconds() {
            broker.heartbeat(worker("w-2"));
            broker.heartbeat(worker("w-1"));
            assertThat(broker.workers()).extracting(WorkerInfo::workerId).containsExactly("w-1", "w-2");
            WorkerInfo w1 = broker.workers().get(0);
            assertThat(w1.lastHeartbeat()).as("broker time, not the worker's").isEqualTo(now());
            assertThat(w1.host()).isEqualTo("host-1");
            assertThat(w1.pid()).isEqualTo(4242);
            assertThat(w1.queues()).containsExactly("a", "b");
            assertThat(w1.concurrency()).isEqualTo(8);
            assertThat(w1.busy()).isEqualTo(3);
            assertThat(w1.startedAt()).isEqualTo(Instant.parse("2029-12-31T23:00:00Z"));

            clock.advance(Duration.ofSeconds(59));
            broker.heartbeat(worker("w-1"));
            assertThat(broker.workers()).extracting(WorkerInfo::workerId).containsExactly("w-1", "w-2");

            clock.advance(Duration.ofSeconds(2)); // w-2 last beat 61 s ago
            assertThat(broker.workers()).extracting(WorkerInfo::workerId).containsExactly("w-1");
            broker.prune(new PruneRequest(100));
            assertThat(broker.workers()).extracting(WorkerInfo::workerId).containsExactly("w-1");

            broker.unregister("w-1");
            assertThat(broker.workers()).isEmpty();
        }

        private WorkerInfo worker(String id) {
            return new WorkerInfo(id, "host-1", 4242, List.of("a", "b"), 8, 3,
                    Instant.parse("2029-12-31T23:00:00Z"), Instant.EPOCH);
        }
    }

    /** Flow control: token buckets and semaphores shared by every worker, on broker time. */
    @Nested
    public class Permits {

        private PermitResponse.Result one(PermitOp op) {
            List<PermitResponse.Result> results = broker.permits(new PermitRequest(List.of(op))).results();
            assertThat(results).hasSize(1);
            return results.get(0);
        }

        @Test
        void aNewBucketIsFullAndRefillsContinuously() {
            PermitOp take = new PermitOp.Take("rate:emails", 2, Duration.ofSeconds(1), 2);
            assertThat(one(take).granted()).isTrue();
            assertThat(one(take).granted()).isTrue();
            PermitResponse.Result denied = one(take);
            assertThat(denied.granted()).isFalse();
            assertThat(denied.retryAt()).as("one token takes 500 ms at 2/s").isEqualTo(now().plusMillis(500));

            clock.advance(Duration.ofMillis(250)); // half a token
            assertThat(one(take).retryAt()).isEqualTo(now().plusMillis(250));
            clock.advance(Duration.ofMillis(250));
            assertThat(one(take).granted()).isTrue();
            assertThat(one(take).granted()).isFalse();

            clock.advance(Duration.ofMinutes(1)); // refills to the burst, never beyond
            assertThat(one(take).granted()).isTrue();
            assertThat(one(take).granted()).isTrue();
            assertThat(one(take).granted()).isFalse();
        }

        @Test
        void aBatchAppliesInOrderAndBucketsAreIndependent() {
            PermitOp a = new PermitOp.Take("a", 1, Duration.ofMinutes(1), 1);
            PermitOp b = new PermitOp.Take("b", 1, Duration.ofMinutes(1), 3);
            List<PermitResponse.Result> results = broker.permits(new PermitRequest(List.of(a, a, b, b, b, b))).results();
            assertThat(results).extracting(PermitResponse.Result::granted)
                    .containsExactly(true, false, true, true, true, false);
            assertThat(results.get(1).retryAt()).isEqualTo(now().plus(Duration.ofMinutes(1)));
            assertThat(results.get(5).retryAt()).isEqualTo(now().plus(Duration.ofMinutes(1)));
        }

        @Test
        void aBucketStaysWithinItsLimitOverManySteps() {
            PermitOp take = new PermitOp.Take("steady", 10, Duration.ofSeconds(1), 5);
            int granted = 0;
            for (int ms = 0; ms < 10_000; ms += 10) { // a caller trying every 10 ms for 10 s
                if (one(take).granted()) {
                    granted++;
                }
                clock.advance(Duration.ofMillis(10));
            }
            assertThat(granted).as("burst 5 + 10/s for 10 s").isBetween(100, 105);
        }

        @Test
        void aSemaphoreGrantsUpToItsLimitAndFreesOnReleaseOrExpiry() {
            Duration ttl = Duration.ofSeconds(30);
            assertThat(one(new PermitOp.Acquire("mutex:order-7", 2, "t1", ttl)).granted()).isTrue();
            clock.advance(Duration.ofSeconds(1));
            assertThat(one(new PermitOp.Acquire("mutex:order-7", 2, "t2", ttl)).granted()).isTrue();
            PermitResponse.Result denied = one(new PermitOp.Acquire("mutex:order-7", 2, "t3", ttl));
            assertThat(denied.granted()).isFalse();
            assertThat(denied.retryAt()).as("the earliest holder's expiry").isEqualTo(now().plus(ttl).minusSeconds(1));
            assertThat(one(new PermitOp.Acquire("mutex:other", 2, "t3", ttl)).granted()).isTrue();

            assertThat(one(new PermitOp.Release("mutex:order-7", "t1")).granted()).isTrue();
            assertThat(one(new PermitOp.Release("mutex:order-7", "t1")).granted()).as("released twice").isFalse();
            assertThat(one(new PermitOp.Acquire("mutex:order-7", 2, "t3", ttl)).granted()).isTrue();
            assertThat(one(new PermitOp.Acquire("mutex:order-7", 2, "t4", ttl)).granted()).isFalse();

            clock.advance(ttl); // t2's and t3's slots end exactly now
            assertThat(one(new PermitOp.Acquire("mutex:order-7", 1, "t4", ttl)).granted()).isTrue();
            assertThat(one(new PermitOp.Acquire("mutex:order-7", 1, "t5", ttl)).granted()).isFalse();
            assertThat(one(new PermitOp.Release("mutex:order-7", "t2")).granted()).as("expired").isFalse();
        }

        @Test
        void acquiringAgainExtendsTheHoldersSlot() {
            Duration ttl = Duration.ofSeconds(10);
            assertThat(one(new PermitOp.Acquire("s", 1, "t1", ttl)).granted()).isTrue();
            clock.advance(Duration.ofSeconds(9));
            assertThat(one(new PermitOp.Acquire("s", 1, "t1", ttl)).granted()).as("the holder renews").isTrue();
            clock.advance(Duration.ofSeconds(9));
            PermitResponse.Result denied = one(new PermitOp.Acquire("s", 1, "t2", ttl));
            assertThat(denied.granted()).isFalse();
            assertThat(denied.retryAt()).isEqualTo(now().plusSeconds(1));
            clock.advance(Duration.ofSeconds(1));
            assertThat(one(new PermitOp.Acquire("s", 1, "t2", ttl)).granted()).isTrue();
        }

        @Test
        void pruningKeepsLiveStateAndForgetsIdleState() {
            PermitOp take = new PermitOp.Take("p", 1, Duration.ofSeconds(10), 1);
            assertThat(one(take).granted()).isTrue();
            assertThat(one(new PermitOp.Acquire("sem", 1, "t1", Duration.ofSeconds(30))).granted()).isTrue();
            broker.prune(new PruneRequest(100));
            assertThat(one(take).granted()).as("an empty bucket survives pruning").isFalse();
            assertThat(one(new PermitOp.Acquire("sem", 1, "t2", Duration.ofSeconds(30))).granted()).isFalse();
            clock.advance(Duration.ofSeconds(30));
            broker.prune(new PruneRequest(100));
            assertThat(one(take).granted()).isTrue();
            assertThat(one(new PermitOp.Acquire("sem", 1, "t2", Duration.ofSeconds(30))).granted()).isTrue();
        }

        @Test
        void concurrentCallersNeverOvershootASemaphore() throws Exception {
            int callers = 8;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
            try {
                List<java.util.concurrent.Future<Boolean>> futures = new ArrayList<>();
                for (int i = 0; i < callers * 4; i++) {
                    String holder = "h" + i;
                    futures.add(pool.submit(() -> one(new PermitOp.Acquire("race", 3, holder, Duration.ofMinutes(1))).granted()));
                }
                int granted = 0;
                for (var f : futures) {
                    granted += f.get() ? 1 : 0;
                }
                assertThat(granted).isEqualTo(3);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Records: small documents kept until deleted, per namespace. */
    @Nested
    public class Records {

        @Test
        void putGetListAndDelete() {
            assertThat(broker.records(new RecordCommand.Get("cron", "nightly")).count()).isZero();
            assertThat(broker.records(new RecordCommand.Put("cron", "nightly", "{\"v\":1}", false)).count()).isEqualTo(1);
            assertThat(broker.records(new RecordCommand.Put("cron", "hourly", "{\"v\":2}", false)).count()).isEqualTo(1);
            assertThat(broker.records(new RecordCommand.Put("limits", "emails", "{}", false)).count()).isEqualTo(1);

            RecordResponse got = broker.records(new RecordCommand.Get("cron", "nightly"));
            assertThat(got.count()).isEqualTo(1);
            assertThat(got.records()).singleElement().satisfies(e -> {
                assertThat(e.key()).isEqualTo("nightly");
                assertThat(e.json()).isEqualTo("{\"v\":1}");
                assertThat(e.updatedAt()).isEqualTo(now());
            });

            RecordResponse all = broker.records(new RecordCommand.All("cron"));
            assertThat(all.count()).isEqualTo(2);
            assertThat(all.records()).extracting(RecordResponse.Entry::key).containsExactly("hourly", "nightly");

            assertThat(broker.records(new RecordCommand.Delete("cron", "nightly")).count()).isEqualTo(1);
            assertThat(broker.records(new RecordCommand.Delete("cron", "nightly")).count()).isZero();
            assertThat(broker.records(new RecordCommand.All("cron")).records()).extracting(RecordResponse.Entry::key).containsExactly("hourly");
            assertThat(broker.records(new RecordCommand.All("empty")).count()).isZero();
        }

        @Test
        void putReplacesUnlessOnlyIfAbsent() {
            broker.records(new RecordCommand.Put("cron", "k", "{\"v\":1}", false));
            clock.advance(Duration.ofSeconds(5));
            assertThat(broker.records(new RecordCommand.Put("cron", "k", "{\"v\":2}", true)).count()).isZero();
            assertThat(broker.records(new RecordCommand.Get("cron", "k")).records().get(0).json()).isEqualTo("{\"v\":1}");
            assertThat(broker.records(new RecordCommand.Put("cron", "k", "{\"v\":3}", false)).count()).isEqualTo(1);
            RecordResponse.Entry e = broker.records(new RecordCommand.Get("cron", "k")).records().get(0);
            assertThat(e.json()).isEqualTo("{\"v\":3}");
            assertThat(e.updatedAt()).isEqualTo(now());
        }

        @Test
        void recordsSurvivePruningAndTime() {
            broker.records(new RecordCommand.Put("cron", "k", "{}", false));
            clock.advance(Duration.ofDays(400));
            broker.prune(new PruneRequest(1000));
            assertThat(broker.records(new RecordCommand.Get("cron", "k")).count()).isEqualTo(1);
        }
    }

    /** Wake-ups: an idle worker blocked in awaitWork learns promptly of new work, close and interrupt. */
    @Nested
    public class Wakeup {

        @Test
        void anEnqueueWakesAWaiter() throws Exception {
            assertWakes(List.of(QUEUE), () -> enqueued(newTask()));
        }

        @Test
        void anEnqueueToAnyOfItsQueuesWakesAWaiter() throws Exception {
            assertWakes(List.of("a", "b"), () -> enqueued(newTask("b")));
        }

        @Test
        void aReleaseWakesAWaiter() throws Exception {
            enqueued(newTask());
            assertWakes(List.of(QUEUE), () -> broker.release(new ReleaseRequest(List.of(claimOne().lease()))));
        }

        @Test
        void aRecoveryWakesAWaiter() throws Exception {
            enqueued(newTask().maxAttempts(100_000));
            assertWakes(List.of(QUEUE), () -> {
                claimOne(QUEUE, Duration.ofSeconds(1));
                clock.advance(Duration.ofSeconds(1));
                broker.recoverExpired(new RecoverRequest(100_000, 10));
            });
        }

        @Test
        void aRetryWakesAWaiter() throws Exception {
            enqueued(newTask().maxAttempts(100_000));
            assertWakes(List.of(QUEUE), () -> {
                ClaimedTask t = claimOne();
                ack(t.lease(), new Outcome.Retry(Duration.ZERO, error(t.attempt(), "x")));
            });
        }

        @Test
        void aReplayWakesAWaiter() throws Exception {
            enqueued(newTask());
            assertWakes(List.of(QUEUE), () -> {
                claimAndKill();
                admin(new AdminCommand.ReplayDead(QUEUE));
            });
        }

        @Test
        void awaitReturnsFalseAfterItsTimeoutWhenNothingComes() throws Exception {
            enqueued(newTask("elsewhere"));

            assertThat(broker.awaitWork(new AwaitRequest(List.of(QUEUE), Duration.ofMillis(50)))).isFalse();
        }

        @Test
        void closeUnblocksAWaiter() {
            Waiter waiter = waitInBackground(List.of(QUEUE), Duration.ofMinutes(10));
            waiter.awaitInside();

            broker.close(); // closeBroker runs again after the test: close() is idempotent

            assertThat(waiter.result).succeedsWithin(ASYNC_BOUND).isEqualTo(false);
        }

        @Test
        void anInterruptUnblocksAWaiter() {
            Waiter waiter = waitInBackground(List.of(QUEUE), Duration.ofMinutes(10));
            waiter.awaitInside();

            waiter.thread.interrupt();

            assertThat(waiter.result).failsWithin(ASYNC_BOUND)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(InterruptedException.class);
        }

        /**
         * Starts a waiter, then runs {@code trigger} until the waiter returns. Repeating the trigger
         * copes with a waiter that had not yet started waiting when an earlier trigger fired.
         */
        private void assertWakes(List<String> queues, Runnable trigger) throws Exception {
            Waiter waiter = waitInBackground(queues, Duration.ofMinutes(10));
            await().atMost(ASYNC_BOUND).pollInterval(Duration.ofMillis(20)).until(() -> {
                trigger.run();
                return waiter.result.isDone();
            });
            assertThat(waiter.result.get()).as("awaitWork returns true when woken").isTrue();
        }

        private Waiter waitInBackground(List<String> queues, Duration timeout) {
            CompletableFuture<Boolean> result = new CompletableFuture<>();
            Thread thread = Thread.ofPlatform().daemon().name("contract-waiter").start(() -> {
                try {
                    result.complete(broker.awaitWork(new AwaitRequest(queues, timeout)));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            return new Waiter(thread, result);
        }
    }

    /** A thread blocked in {@code awaitWork}, and what the call returned. */
    private record Waiter(Thread thread, CompletableFuture<Boolean> result) {

        /**
         * Waits until the thread runs inside {@code awaitWork} (any backend: parked on a condition or
         * reading a socket), so that what the test does next happens while it waits.
         */
        void awaitInside() {
            await().atMost(ASYNC_BOUND).until(() -> result.isDone() || Arrays.stream(thread.getStackTrace())
                    .anyMatch(frame -> frame.getMethodName().equals("awaitWork")));
            assertThat(result).as("awaitWork returned before anything happened").isNotDone();
        }
    }

    /** Bad input at the broker: unknown ids are rejected or reported, never thrown. */
    @Nested
    public class BadInput {

        @Test
        void leaseCallsWithUnknownTaskIdsAreRejected() {
            Lease ghost = new Lease("no-such-task", 42);

            assertThat(broker.ack(new AckRequest(List.of(new Ack(ghost, new Outcome.Completed("{}"))))).rejected())
                    .containsExactly("no-such-task");
            assertThat(broker.renew(new RenewRequest(List.of(ghost), LEASE)).lost()).containsExactly("no-such-task");
            assertThat(broker.release(new ReleaseRequest(List.of(ghost))).released()).isZero();
            assertThat(broker.progress(new ProgressRequest(ghost, "{}"))).isFalse();
            assertThat(broker.get("no-such-task")).isEmpty();
        }

        @Test
        void aLeaseOnATaskThatWasNeverClaimedIsRejected() {
            String id = enqueued(newTask());

            assertThat(ack(new Lease(id, 1), new Outcome.Completed("{}"))).isFalse();
            assertThat(ack(new Lease(id, 0), new Outcome.Completed("{}"))).isFalse();
            assertThat(info(id).state()).isEqualTo(TaskState.PENDING);
            assertThat(info(id).resultJson()).isNull();
        }

        @Test
        void adminOnUnknownIdsAndQueuesAffectsNothing() {
            assertThat(admin(new AdminCommand.Retry("no-such-task"))).isZero();
            assertThat(admin(new AdminCommand.Cancel("no-such-task"))).isZero();
            assertThat(admin(new AdminCommand.Delete("no-such-task"))).isZero();
            assertThat(admin(new AdminCommand.Purge("no-such-queue", EnumSet.allOf(TaskState.class)))).isZero();
            assertThat(admin(new AdminCommand.ReplayDead("no-such-queue"))).isZero();
            assertThat(admin(new AdminCommand.Resume("no-such-queue"))).isZero();
        }

        @Test
        void unknownQueuesReadAsEmpty() {
            assertThat(claim(5, "no-such-queue")).isEmpty();
            TaskPage page = list("no-such-queue", TaskState.PENDING, 0, 10);
            assertThat(page.tasks()).isEmpty();
            assertThat(page.hasMore()).isFalse();

            QueueStats s = stats("no-such-queue");
            assertThat(s.queue()).isEqualTo("no-such-queue");
            assertThat(s.counts().values()).containsOnly(0L);
            assertThat(s.paused()).isFalse();
            assertThat(s.oldestPendingAt()).isNull();
            assertThat(broker.stats(List.of())).isEmpty();
        }
    }
}
