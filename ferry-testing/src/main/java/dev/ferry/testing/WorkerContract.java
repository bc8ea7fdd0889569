package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.DeadReason;
import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.QueueSelection;
import dev.ferry.RawJson;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.TaskDefaults;
import dev.ferry.TaskEvent;
import dev.ferry.TaskInfo;
import dev.ferry.TaskOutcome;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The promises of the worker runtime, end to end through {@link Ferry}, {@link dev.ferry.Client},
 * {@link Worker} and {@link dev.ferry.Inspector} on a real broker with the real clock: handlers,
 * results, retries, the dead set, timeouts, cancellation, graceful shutdown, lease recovery,
 * idempotency, priorities, concurrency limits and bad input at the client.
 *
 * <p>A backend proves them by extending this class with one method:
 * <pre>{@code
 * class EmbeddedWorkerTest extends WorkerContract {
 *     protected Broker newBroker() { return EmbeddedBroker.open(tempDir.resolve("ferry.db")); }
 * }
 * }</pre>
 * Waits are bounded conditions (Awaitility), never sleeps.
 */
public abstract class WorkerContract extends LiveBrokerFixture {
    /** Generous bound for outcomes that normally take milliseconds; slow CI machines need room. */
    protected static final Duration WAIT = Duration.ofSeconds(20);

    /** Payload used by most tests. */
    public record Job(String name, int n) {
    }

    /** A worker builder with fast retries and short intervals for tests. */
    protected dev.ferry.WorkerBuilder worker() {
        return testWorker(ferry, Duration.ofSeconds(5));
    }

    protected TaskInfo awaitState(String id, TaskState state) {
        await().atMost(WAIT).until(() -> ferry.inspector().task(id).map(TaskInfo::state).orElse(null) == state);
        return ferry.inspector().task(id).orElseThrow();
    }

    private String enqueue(Task task) {
        EnqueueResult r = ferry.client().enqueue(task);
        assertThat(r.created()).isTrue();
        return r.id();
    }

    @Test
    void runsTheHandlerAndStoresItsResult() {
        started(worker().handle("job.echo", Job.class, (job, ctx) -> Map.of("echo", job.name(), "attempt", ctx.attempt())));
        String id = enqueue(Task.of("job.echo", new Job("a", 1)));

        TaskInfo done = awaitState(id, TaskState.COMPLETED);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.finishedAt()).isNotNull();
        assertThat(ferry.inspector().result(id, Map.class)).contains(Map.of("echo", "a", "attempt", 1));
        assertThat(ferry.inspector().queue("default").processedTotal()).isEqualTo(1);
    }

    @Test
    void retriesWithBackoffUntilItSucceeds() {
        started(worker().handle("job.flaky", Job.class, (job, ctx) -> {
            if (ctx.attempt() <= 2) {
                throw new IllegalStateException("transient failure " + ctx.attempt());
            }
            return "ok";
        }));
        String id = enqueue(Task.of("job.flaky", new Job("f", 0)).maxAttempts(5));

        TaskInfo done = awaitState(id, TaskState.COMPLETED);
        assertThat(done.attempt()).isEqualTo(3);
        assertThat(done.errors()).hasSize(2);
        assertThat(done.errors().get(0).attempt()).isEqualTo(1);
        assertThat(done.errors().get(0).message()).isEqualTo("transient failure 1");
        assertThat(done.errors().get(0).stackTrace()).contains("IllegalStateException");
        assertThat(ferry.inspector().queue("default").failedTotal()).isEqualTo(2);
    }

    @Test
    void exhaustedAttemptsGoToTheDeadSetAndCanBeReplayed() {
        AtomicInteger runs = new AtomicInteger();
        started(worker().handle("job.broken", Job.class, (job, ctx) -> {
            if (runs.incrementAndGet() <= 3) {
                throw new IllegalArgumentException("always broken");
            }
            return "fixed";
        }));
        String id = enqueue(Task.of("job.broken", new Job("b", 0)).maxAttempts(3));

        TaskInfo dead = awaitState(id, TaskState.DEAD);
        assertThat(dead.deadReason()).isEqualTo(DeadReason.FAILED);
        assertThat(dead.attempt()).isEqualTo(3);
        assertThat(dead.lastError().errorType()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(ferry.inspector().queue("default").count(TaskState.DEAD)).isEqualTo(1);

        assertThat(ferry.inspector().replayDead("default")).isEqualTo(1);
        TaskInfo replayed = awaitState(id, TaskState.COMPLETED);
        assertThat(replayed.attempt()).isEqualTo(1);
    }

    @Test
    void failWithoutRetryIsDeadAfterOneAttempt() {
        started(worker().handle("job.fatal", Job.class, (job, ctx) -> {
            throw TaskOutcome.fail("card declined");
        }));
        String id = enqueue(Task.of("job.fatal", new Job("x", 0)).maxAttempts(10));

        TaskInfo dead = awaitState(id, TaskState.DEAD);
        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(dead.lastError().message()).isEqualTo("card declined");
    }

    @Test
    void nonRetryableErrorTypesSkipRetries() {
        started(worker().handle("job.invalid", Job.class, (job, ctx) -> {
            throw new UnsupportedOperationException("never works");
        }, RetryPolicy.fixed(Duration.ofMillis(1)).nonRetryable(UnsupportedOperationException.class)));
        String id = enqueue(Task.of("job.invalid", new Job("x", 0)).maxAttempts(10));

        assertThat(awaitState(id, TaskState.DEAD).attempt()).isEqualTo(1);
    }

    @Test
    void retryAfterAndSnoozeAreHonoured() {
        started(worker().handle("job.later", Job.class, (job, ctx) -> {
            int seen = ctx.attempt();
            if (job.n() == 0 && seen == 1) {
                throw TaskOutcome.retryAfter(Duration.ofMillis(20), "rate limited upstream");
            }
            if (job.n() == 1 && snoozes.add(ctx.id())) {
                throw TaskOutcome.snooze(Duration.ofMillis(20));
            }
            return seen;
        }));
        String retried = enqueue(Task.of("job.later", new Job("r", 0)));
        String snoozed = enqueue(Task.of("job.later", new Job("s", 1)));

        assertThat(awaitState(retried, TaskState.COMPLETED).attempt()).isEqualTo(2);
        TaskInfo s = awaitState(snoozed, TaskState.COMPLETED);
        assertThat(s.attempt()).as("a snooze does not count an attempt").isEqualTo(1);
        assertThat(s.errors()).isEmpty();
    }

    private final Set<String> snoozes = ConcurrentHashMap.newKeySet();

    @Test
    void unknownTypesAndUnbindablePayloadsAreDeadWithTheReasonAndDoNotBlockTheQueue() {
        started(worker().handle("job.echo", Job.class, (job, ctx) -> job.name()));
        String unknown = enqueue(Task.of("job.nobody", new Job("u", 0)));
        String unbindable = enqueue(Task.ofJson("job.echo", "{\"name\": {\"not\": \"a string\"}, \"n\": \"NaN?\"}"));
        String fine = enqueue(Task.of("job.echo", new Job("ok", 0)));

        TaskInfo u = awaitState(unknown, TaskState.DEAD);
        assertThat(u.deadReason()).isEqualTo(DeadReason.UNPROCESSABLE);
        assertThat(u.lastError().message()).contains("no handler registered for task type 'job.nobody'");
        TaskInfo b = awaitState(unbindable, TaskState.DEAD);
        assertThat(b.deadReason()).isEqualTo(DeadReason.UNPROCESSABLE);
        assertThat(b.lastError().message()).contains("does not bind to Job");
        awaitState(fine, TaskState.COMPLETED);
    }

    @Test
    void aTimeoutInterruptsTheHandlerAndCountsAsAFailedAttempt() {
        started(worker().handle("job.hang", Job.class, (job, ctx) -> {
            new CountDownLatch(1).await(); // blocks until interrupted
            return null;
        }));
        String id = enqueue(Task.of("job.hang", new Job("h", 0)).timeout(Duration.ofMillis(200)).maxAttempts(2));

        TaskInfo dead = awaitState(id, TaskState.DEAD);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(dead.errors()).hasSize(2);
        assertThat(dead.lastError().message()).contains("timed out after PT0.2S");
    }

    @Test
    void cancellingARunningTaskInterruptsItsHandler() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        started(worker().lease(Duration.ofMillis(600)).handle("job.long", Job.class, (job, ctx) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return null;
        }));
        String id = enqueue(Task.of("job.long", new Job("l", 0)));
        await().atMost(WAIT).until(() -> started.getCount() == 0);

        assertThat(ferry.inspector().cancel(id)).isTrue();
        TaskInfo cancelled = awaitState(id, TaskState.CANCELLED);
        assertThat(interrupted.get()).isEqualTo(1);
        assertThat(cancelled.finishedAt()).isNotNull();
    }

    @Test
    void cancellingAQueuedTaskMeansItNeverRuns() {
        String id = enqueue(Task.of("job.echo", new Job("c", 0)).delay(Duration.ofHours(1)));
        assertThat(ferry.inspector().cancel(id)).isTrue();
        assertThat(ferry.inspector().task(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(ferry.inspector().cancel(id)).as("already finished").isFalse();
    }

    @Test
    void gracefulShutdownFinishesShortTasksAndReleasesLongOnesWithoutCountingTheAttempt() {
        CountDownLatch bothStarted = new CountDownLatch(2);
        CountDownLatch letShortFinish = new CountDownLatch(1);
        Worker w = worker().concurrency(2).shutdownGrace(Duration.ofMillis(300))
                .handle("job.short", Job.class, (job, ctx) -> {
                    bothStarted.countDown();
                    letShortFinish.await();
                    return "short done";
                })
                .handle("job.endless", Job.class, (job, ctx) -> {
                    bothStarted.countDown();
                    new CountDownLatch(1).await();
                    return null;
                }).start();
        String shortId = enqueue(Task.of("job.short", new Job("s", 0)));
        String endlessId = enqueue(Task.of("job.endless", new Job("e", 0)));
        await().atMost(WAIT).until(() -> bothStarted.getCount() == 0);

        Thread stopper = Thread.ofVirtual().start(w::close);
        letShortFinish.countDown();
        await().atMost(WAIT).until(() -> !stopper.isAlive());

        assertThat(ferry.inspector().task(shortId).orElseThrow().state()).isEqualTo(TaskState.COMPLETED);
        TaskInfo released = ferry.inspector().task(endlessId).orElseThrow();
        assertThat(released.state()).isEqualTo(TaskState.PENDING);
        assertThat(released.attempt()).as("a released attempt is not counted").isZero();
        assertThat(w.isRunning()).isFalse();
    }

    @Test
    void aTaskWhoseWorkerDiedIsRecoveredAfterItsLeaseAndRunsAgain() {
        String id = enqueue(Task.of("job.echo", new Job("orphan", 0)));
        // A "worker" that claims and then dies: it never renews or acks.
        List<ClaimedTask> claimed = broker.claim(new ClaimRequest("dead-worker", List.of("default"), 1, Duration.ofMillis(300))).tasks();
        assertThat(claimed).hasSize(1);

        started(worker().lease(Duration.ofMillis(600)).handle("job.echo", Job.class, (job, ctx) -> ctx.attempt()));
        TaskInfo done = awaitState(id, TaskState.COMPLETED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.leaseExpirations()).isEqualTo(1);
        assertThat(ferry.inspector().result(id, Integer.class)).contains(2);
    }

    @Test
    void theIdempotencyHelperRunsASideEffectOnceAcrossRetries() {
        AtomicInteger charges = new AtomicInteger();
        started(worker().handle("order.charge", Job.class, (order, ctx) -> {
            String paymentId = ctx.idempotent("charge:" + order.name(), String.class, () -> {
                charges.incrementAndGet();
                return "pay-" + order.name();
            });
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("network blip after charging");
            }
            return paymentId;
        }));
        String id = enqueue(Task.of("order.charge", new Job("ord-1", 0)));

        awaitState(id, TaskState.COMPLETED);
        assertThat(charges.get()).isEqualTo(1);
        assertThat(ferry.inspector().result(id, String.class)).contains("pay-ord-1");
    }

    @Test
    void progressIsVisibleWhileRunning() {
        CountDownLatch release = new CountDownLatch(1);
        started(worker().handle("job.report", Job.class, (job, ctx) -> {
            ctx.progress(Map.of("percent", 40));
            release.await();
            return null;
        }));
        String id = enqueue(Task.of("job.report", new Job("p", 0)));
        await().atMost(WAIT).until(() -> ferry.inspector().task(id).map(TaskInfo::progressJson).orElse(null) != null);
        assertThat(ferry.inspector().task(id).orElseThrow().progressJson()).contains("40");
        release.countDown();
        awaitState(id, TaskState.COMPLETED);
    }

    @Test
    void lowerPriorityNumbersRunFirst() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<Task> tasks = new ArrayList<>();
        for (int p : new int[] {90, 10, 50, 0, 100}) {
            tasks.add(Task.of("job.order", new Job("p" + p, p)).priority(p));
        }
        ferry.client().enqueueAll(tasks);
        started(worker().concurrency(1).handle("job.order", Job.class, (job, ctx) -> order.add(job.name())));

        await().atMost(WAIT).until(() -> order.size() == 5);
        assertThat(order).containsExactly("p0", "p10", "p50", "p90", "p100");
    }

    @Test
    void neverRunsMoreHandlersAtOnceThanItsConcurrency() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        started(worker().concurrency(3).prefetch(2).handle("job.count", Job.class, (job, ctx) -> {
            maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
            gate.await();
            running.decrementAndGet();
            return done.incrementAndGet();
        }));
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tasks.add(Task.of("job.count", new Job("c", i)));
        }
        ferry.client().enqueueAll(tasks);
        await().atMost(WAIT).until(() -> running.get() == 3);
        gate.countDown();

        await().atMost(WAIT).until(() -> done.get() == 20);
        assertThat(maxSeen.get()).isEqualTo(3);
    }

    @Test
    void weightedQueuesServeEveryQueueAndStrictQueuesServeInOrder() {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(Task.of("job.q", new Job("low", i)).queue("low"));
            tasks.add(Task.of("job.q", new Job("critical", i)).queue("critical"));
        }
        ferry.client().enqueueAll(tasks);
        started(worker().concurrency(1).queues(QueueSelection.strict("critical", "low"))
                .handle("job.q", Job.class, (job, ctx) -> seen.add(ctx.queue())));
        await().atMost(WAIT).until(() -> seen.size() == 20);
        assertThat(seen.subList(0, 10)).containsOnly("critical");

        seen.clear();
        List<Task> more = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            more.add(Task.of("job.q2", new Job("a", i)).queue("alpha"));
            more.add(Task.of("job.q2", new Job("b", i)).queue("beta"));
        }
        ferry.client().enqueueAll(more);
        started(worker().concurrency(1).queues(QueueSelection.weighted(Map.of("alpha", 1, "beta", 1)))
                .handle("job.q2", Job.class, (job, ctx) -> seen.add(ctx.queue())));
        await().atMost(WAIT).until(() -> seen.size() == 60);
        assertThat(seen.subList(0, 30)).contains("alpha", "beta");
    }

    @Test
    void listenersAndMiddlewareSeeEveryAttempt() {
        List<TaskEvent.Kind> events = new CopyOnWriteArrayList<>();
        List<String> around = new CopyOnWriteArrayList<>();
        started(worker()
                .listener(e -> events.add(e.kind()))
                .middleware((ctx, payload, next) -> {
                    around.add("before:" + ctx.attempt());
                    try {
                        return next.proceed();
                    } finally {
                        around.add("after:" + ctx.attempt());
                    }
                })
                .handle("job.twice", Job.class, (job, ctx) -> {
                    if (ctx.attempt() == 1) {
                        throw new IllegalStateException("once");
                    }
                    return null;
                }));
        String id = enqueue(Task.of("job.twice", new Job("t", 0)));
        awaitState(id, TaskState.COMPLETED);

        await().atMost(WAIT).until(() -> events.contains(TaskEvent.Kind.SUCCEEDED));
        assertThat(events).containsSubsequence(TaskEvent.Kind.STARTED, TaskEvent.Kind.RETRYING, TaskEvent.Kind.STARTED, TaskEvent.Kind.SUCCEEDED);
        assertThat(around).containsExactly("before:1", "after:1", "before:2", "after:2");
    }

    @Test
    void badInputIsRefusedAtTheDoorWithTheFieldNamedAndNothingStored() {
        var client = ferry.client();
        assertRefused(() -> client.enqueue(Task.of("job.x", new Job("a", 1)).queue("no spaces")), "queue");
        assertRefused(() -> client.enqueue(Task.of("job.x", new Job("a", 1)).delay(Duration.ofSeconds(-5))), "delay");
        assertRefused(() -> client.enqueue(Task.of("job.x", new Job("a", 1)).priority(500)), "priority");
        assertRefused(() -> client.enqueue(Task.of("job.x", new Job("a", 1)).maxAttempts(0)), "maxAttempts");
        assertRefused(() -> client.enqueue(Task.of("job.x", new Job("a", 1)).timeout(Duration.ZERO)), "timeout");
        assertRefused(() -> client.enqueue(Task.ofJson("job.x", "{not json")), "payload");
        assertRefused(() -> client.enqueue(Task.ofJson("job.x", "{} trailing")), "payload");
        assertRefused(() -> client.enqueue(Task.of("", new Job("a", 1))), "type");
        assertRefused(() -> client.enqueue(Task.of("job.x", new Job("a", 1)).id("has space")), "id");
        assertRefused(() -> client.enqueue(Task.of("job.x", null)), "payload");
        String big = "\"" + "x".repeat(TaskDefaults.standard().maxPayloadBytes()) + "\"";
        assertRefused(() -> client.enqueue(Task.ofJson("job.x", big)), "payload");
        assertRefused(() -> client.enqueueAll(List.of(Task.of("job.x", new Job("ok", 1)), Task.of("job.x", new Job("bad", 1)).queue("bad queue"))),
                "tasks[1].queue");

        assertThat(ferry.inspector().queues()).as("nothing stored").allSatisfy(q ->
                assertThat(q.counts().values().stream().mapToLong(Long::longValue).sum()).isZero());
    }

    private static void assertRefused(Runnable call, String field) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageStartingWith(field + ": ");
    }

    @Test
    void aCallerChosenIdOrAHeldUniqueKeyMakesNoSecondTask() {
        EnqueueResult first = ferry.client().enqueue(Task.of("job.x", new Job("a", 1)).id("order-42"));
        EnqueueResult again = ferry.client().enqueue(Task.of("job.x", new Job("b", 2)).id("order-42"));
        assertThat(first.created()).isTrue();
        assertThat(again.status()).isEqualTo(EnqueueResult.Status.DUPLICATE_ID);
        assertThat(again.id()).isEqualTo("order-42");

        EnqueueResult u1 = ferry.client().enqueue(Task.of("job.x", new Job("c", 3)).unique("report:2026-11", Duration.ofHours(1)));
        EnqueueResult u2 = ferry.client().enqueue(Task.of("job.x", new Job("d", 4)).unique("report:2026-11", Duration.ofHours(1)));
        assertThat(u2.status()).isEqualTo(EnqueueResult.Status.DUPLICATE_UNIQUE_KEY);
        assertThat(u2.id()).isEqualTo(u1.id());
        assertThat(ferry.inspector().queue("default").count(TaskState.PENDING)).isEqualTo(2);
    }

    @Test
    void aDelayedTaskRunsAfterItsDelayAndRawJsonPayloadsPassThrough() {
        started(worker().handle("job.raw", RawJson.class, (raw, ctx) -> raw));
        String id = enqueue(Task.ofJson("job.raw", "{\"any\":[1,2,3]}").delay(Duration.ofMillis(300)));
        assertThat(ferry.inspector().task(id).orElseThrow().state()).isEqualTo(TaskState.SCHEDULED);
        TaskInfo done = awaitState(id, TaskState.COMPLETED);
        assertThat(done.resultJson()).isEqualTo("{\"any\":[1,2,3]}");
        assertThat(done.startedAt()).isAfterOrEqualTo(done.enqueuedAt().plusMillis(300));
    }
}
