package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Explanation;
import dev.ferry.InvalidInputException;
import dev.ferry.Limit;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.TaskEvent;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.WorkerBuilder;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.AdminResponse;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ForwardingBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Flow control and the explainer, end to end: real workers on the broker under test, which must
 * hold rate and concurrency limits across every worker (two workers here, each with room to
 * break the limit on its own). A backend's test extends this class and makes fresh brokers:
 *
 * <pre>{@code
 * class MyFlowControlTest extends FlowControlContract {
 *     protected Broker newBroker() { return new MyBroker(...); }
 * }
 * }</pre>
 */
public abstract class FlowControlContract extends LiveBrokerFixture {
    /** The most a test waits for an outcome. */
    protected static final Duration WAIT = Duration.ofSeconds(30);

    /** A payload with a name and a number. */
    public record Job(String name, int n) {
    }

    private WorkerBuilder worker() {
        return testWorker(ferry, Duration.ofSeconds(5));
    }

    private List<String> enqueue(List<Task> tasks) {
        return ferry.client().enqueueAll(tasks).stream().map(r -> r.id()).toList();
    }

    private void awaitCompleted(List<String> ids) {
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id ->
                ferry.inspector().task(id).map(TaskInfo::state).orElse(null) == TaskState.COMPLETED));
    }

    @Test
    void aConcurrencyLimitHoldsAcrossWorkers() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        CountDownLatch twoRunning = new CountDownLatch(2);
        CountDownLatch gate = new CountDownLatch(1);
        for (int w = 0; w < 2; w++) {
            started(worker().concurrency(5).limit(Limit.concurrency("crm", 2)).queues("crm")
                    .handle("crm.sync", Job.class, (job, ctx) -> {
                        maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
                        twoRunning.countDown();
                        gate.await();
                        running.decrementAndGet();
                        return job.n();
                    }));
        }
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tasks.add(Task.of("crm.sync", new Job("c", i)).queue("crm").maxAttempts(1));
        }
        List<String> ids = enqueue(tasks);
        await().atMost(WAIT).until(() -> twoRunning.getCount() == 0);
        // the others keep trying and keep being refused while the two hold their slots
        await().atMost(WAIT).until(() -> ids.stream().anyMatch(id ->
                ferry.inspector().explain(id).reason() == Explanation.Reason.CONCURRENCY_LIMITED));
        assertThat(running.get()).isEqualTo(2);
        gate.countDown();
        awaitCompleted(ids);
        assertThat(maxSeen.get()).isEqualTo(2);
        assertThat(ids).allSatisfy(id -> assertThat(ferry.inspector().task(id).orElseThrow().attempt())
                .as("waiting for a slot is not an attempt").isEqualTo(1));
    }

    @Test
    void aPerKeyMutexRunsOneTaskPerKeyAtATime() {
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        Map<String, Integer> maxSeen = new ConcurrentHashMap<>();
        for (int w = 0; w < 2; w++) {
            started(worker().concurrency(6).limit(Limit.concurrency("orders", 1).perKey()).queues("orders")
                    .handle("order.step", Job.class, (job, ctx) -> {
                        int now = running.computeIfAbsent(job.name(), k -> new AtomicInteger()).incrementAndGet();
                        maxSeen.merge(job.name(), now, Math::max);
                        LockSupport.parkNanos(2_000_000); // two milliseconds of simulated work, so overlaps would show
                        running.get(job.name()).decrementAndGet();
                        return null;
                    }));
        }
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            for (String order : List.of("order-1", "order-2", "order-3")) {
                tasks.add(Task.of("order.step", new Job(order, i)).queue("orders").key(order));
            }
        }
        awaitCompleted(enqueue(tasks));
        assertThat(maxSeen).hasSize(3).allSatisfy((order, max) -> assertThat(max).as(order).isEqualTo(1));
    }

    @Test
    void aLightTenantIsServedWithinARoundNextToAHeavyTenantsBacklog() {
        int concurrency = 2;
        List<String> starts = Collections.synchronizedList(new ArrayList<>());
        started(worker().concurrency(concurrency).queues("reports")
                .handle("report.build", Job.class, (job, ctx) -> {
                    starts.add(job.name());
                    LockSupport.parkNanos(1_000_000); // a millisecond of work, so the backlog outlives the test
                    return null;
                }));
        List<Task> heavy = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            heavy.add(Task.of("report.build", new Job("heavy", i)).queue("reports").tenant("tenant-heavy"));
        }
        List<String> heavyIds = enqueue(heavy);
        await().atMost(WAIT).until(() -> starts.size() >= 20);

        int startsBefore = starts.size();
        String light = ferry.client().enqueue(Task.of("report.build", new Job("light", 0)).queue("reports")
                .tenant("tenant-light")).id();
        awaitCompleted(List.of(light));

        int lightAt = starts.indexOf("light");
        // Tasks already claimed when it arrived (at most one claim batch per slot) may start first;
        // then it is next in line. Without fairness it would wait for the ~380 left.
        assertThat(lightAt - startsBefore).as("heavy tasks started between the light task's enqueue and its start")
                .isLessThanOrEqualTo(2 * concurrency + 1);
        awaitCompleted(heavyIds);
    }

    @Test
    void aRateLimitHoldsAcrossWorkersAndNeverExceedsTheBucket() {
        int perSecond = 20;
        int burst = 5;
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        List<TaskEvent.Kind> events = Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < 2; w++) {
            started(worker().concurrency(8).queues("emails")
                    .limit(Limit.rate("emails", perSecond, Duration.ofSeconds(1)).burst(burst))
                    .listener(e -> events.add(e.kind()))
                    .handle("email.send", Job.class, (job, ctx) -> starts.add(System.nanoTime())));
        }
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tasks.add(Task.of("email.send", new Job("e", i)).queue("emails").maxAttempts(1));
        }
        awaitCompleted(enqueue(tasks));

        List<Long> sorted = new ArrayList<>(starts);
        Collections.sort(sorted);
        assertThat(sorted).hasSize(40);
        // In any window, starts <= burst + rate x window. Starts are seen by the handlers, a little
        // after the backend granted their tokens, so a late-scheduled thread can squeeze a window:
        // two starts of slack for that. The exact bucket arithmetic is BrokerContract's, on a manual clock.
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i; j < sorted.size(); j++) {
                double window = (sorted.get(j) - sorted.get(i)) / 1e9;
                assertThat(j - i + 1).as("starts %d..%d in %.3f s", i, j, window)
                        .isLessThanOrEqualTo((int) Math.floor(burst + perSecond * window) + 2);
            }
        }
        assertThat(events).contains(TaskEvent.Kind.LIMITED);
    }

    @Test
    void aPerKeyRateLimitHoldsOneKeyAndLetsTheOthersRunAndTheExplainerSaysWhy() {
        started(worker().concurrency(4).queues("api")
                .limit(Limit.rate("api", 2, Duration.ofHours(1)).perKey())
                .handle("api.call", Job.class, (job, ctx) -> job.n()));
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(Task.of("api.call", new Job("greedy", i)).queue("api").key("customer-greedy"));
            tasks.add(Task.of("api.call", new Job("light", i)).queue("api").key("customer-light-" + i));
        }
        tasks.add(Task.of("api.call", new Job("keyless", 0)).queue("api"));
        List<String> ids = enqueue(tasks);
        List<String> greedy = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            (i < 8 && i % 2 == 0 ? greedy : others).add(ids.get(i));
        }
        awaitCompleted(others);
        await().atMost(WAIT).until(() -> greedy.stream().filter(id ->
                ferry.inspector().task(id).orElseThrow().state() == TaskState.COMPLETED).count() == 2);
        List<String> held = greedy.stream().filter(id ->
                ferry.inspector().task(id).orElseThrow().state() != TaskState.COMPLETED).toList();
        assertThat(held).hasSize(2);
        await().atMost(WAIT).until(() -> held.stream().allMatch(id ->
                ferry.inspector().explain(id).reason() == Explanation.Reason.RATE_LIMITED));
        Explanation why = ferry.inspector().explain(held.get(0));
        assertThat(why.state()).isEqualTo(TaskState.SCHEDULED);
        assertThat(why.message()).contains("rate limited by key:api=2/PT1H").contains("customer-greedy");
        assertThat(why.until()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(20)));
        TaskInfo waiting = ferry.inspector().task(held.get(0)).orElseThrow();
        assertThat(waiting.attempt()).as("a rate-limited wait is not an attempt").isZero();
    }

    @Test
    void theExplainerNamesDelaysPausesMissingWorkersRetriesAndRunningWorkers() {
        String delayed = ferry.client().enqueue(Task.of("x.later", new Job("d", 0)).queue("quiet").delay(Duration.ofHours(2))).id();
        Explanation d = ferry.inspector().explain(delayed);
        assertThat(d.reason()).isEqualTo(Explanation.Reason.DELAYED);
        assertThat(d.until()).isEqualTo(ferry.inspector().task(delayed).orElseThrow().runAt());

        String orphan = ferry.client().enqueue(Task.of("x.nobody", new Job("o", 0)).queue("quiet")).id();
        Explanation o = ferry.inspector().explain(orphan);
        assertThat(o.reason()).isEqualTo(Explanation.Reason.NO_WORKER);
        assertThat(o.message()).contains("quiet").contains("x.nobody");

        ferry.inspector().pause("quiet");
        assertThat(ferry.inspector().explain(orphan).reason()).isEqualTo(Explanation.Reason.QUEUE_PAUSED);
        ferry.inspector().resume("quiet");

        assertThat(ferry.inspector().explain("no-such-task").reason()).isEqualTo(Explanation.Reason.NOT_FOUND);
        assertThatThrownBy(() -> ferry.inspector().explain("bad id"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("id"));

        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        Worker w = started(worker().queues("busy")
                .retryPolicy(RetryPolicy.fixed(Duration.ofHours(1)))
                .handle("x.hold", Job.class, (job, ctx) -> {
                    inside.countDown();
                    gate.await();
                    return null;
                })
                .handle("x.fail", Job.class, (job, ctx) -> {
                    throw new IllegalStateException("upstream said no");
                }));
        String running = ferry.client().enqueue(Task.of("x.hold", new Job("h", 0)).queue("busy")).id();
        await().atMost(WAIT).until(() -> inside.getCount() == 0);
        await().atMost(WAIT).until(() -> ferry.inspector().explain(running).reason() == Explanation.Reason.RUNNING);
        Explanation r = ferry.inspector().explain(running);
        assertThat(r.reason()).isEqualTo(Explanation.Reason.RUNNING);
        assertThat(r.message()).contains(w.id());

        String failing = ferry.client().enqueue(Task.of("x.fail", new Job("f", 0)).queue("busy").maxAttempts(3)).id();
        await().atMost(WAIT).until(() -> ferry.inspector().task(failing).orElseThrow().state() == TaskState.RETRYING);
        Explanation f = ferry.inspector().explain(failing);
        assertThat(f.reason()).isEqualTo(Explanation.Reason.WAITING_FOR_RETRY);
        assertThat(f.message()).contains("upstream said no").contains("attempt 1 of 3");
        gate.countDown();
        await().atMost(WAIT).until(() -> ferry.inspector().explain(running).reason() == Explanation.Reason.FINISHED);
    }

    @Test
    void aDebouncedTaskIsReplacedByTheNextOneWithItsKeyAndRunsOnceWithTheLastPayload() {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(ferry.client().enqueue(Task.of("doc.reindex", new Job("doc-7", i)).queue("index")
                    .debounce("doc-7", Duration.ofSeconds(2))).id());
        }
        String other = ferry.client().enqueue(Task.of("doc.reindex", new Job("doc-8", 0)).queue("index")
                .debounce("doc-8", Duration.ofSeconds(2))).id();
        assertThat(ids).doesNotHaveDuplicates();
        for (String replaced : ids.subList(0, 4)) {
            assertThat(ferry.inspector().task(replaced)).as("replaced %s", replaced).isEmpty();
        }
        TaskInfo last = ferry.inspector().task(ids.get(4)).orElseThrow();
        assertThat(last.state()).isEqualTo(TaskState.SCHEDULED);
        assertThat(ferry.inspector().explain(ids.get(4)).reason()).isEqualTo(Explanation.Reason.DELAYED);

        started(worker().queues("index").handle("doc.reindex", Job.class, (job, ctx) -> ran.add(job.name() + "#" + job.n())));
        awaitCompleted(List.of(ids.get(4), other));
        assertThat(ran).containsExactlyInAnyOrder("doc-7#4", "doc-8#0");
        assertThatThrownBy(() -> Task.of("t", new Job("x", 0)).debounce("", Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("debounce.key"));
        assertThatThrownBy(() -> Task.of("t", new Job("x", 0)).debounce("k", Duration.ZERO))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("debounce.window"));
    }

    @Test
    void itemsOfAGroupAreAggregatedIntoBatchesBySizeOrDelayAcrossWorkersEachItemOnce() {
        List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        Map<String, String> groups = new ConcurrentHashMap<>();
        for (int w = 0; w < 2; w++) {
            started(worker().queues("notify")
                    .handleBatch("notify.user", Job.class, 5, Duration.ofMillis(800), (items, ctx) -> {
                        List<String> names = items.stream().map(j -> j.name() + "#" + j.n()).toList();
                        batches.add(names);
                        groups.put(String.join(",", names), ctx.headers().get(Task.GROUP_HEADER));
                        return items.size();
                    }));
        }
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            tasks.add(Task.of("notify.user", new Job("u1", i)).queue("notify").aggregate("user-1"));
        }
        for (int i = 0; i < 3; i++) {
            tasks.add(Task.of("notify.user", new Job("u2", i)).queue("notify").aggregate("user-2"));
        }
        List<String> ids = enqueue(tasks);
        assertThat(ferry.inspector().explain(ids.get(0)).reason()).isIn(Explanation.Reason.AGGREGATING, Explanation.Reason.NOT_FOUND);

        await().atMost(WAIT).until(() -> batches.stream().mapToInt(List::size).sum() == 10);
        assertThat(batches).allSatisfy(b -> assertThat(b.size()).isBetween(1, 5));
        List<String> all = batches.stream().flatMap(List::stream).toList();
        assertThat(all).doesNotHaveDuplicates().hasSize(10);
        assertThat(batches).contains(List.of("u1#0", "u1#1", "u1#2", "u1#3", "u1#4"), List.of("u1#5", "u1#6"), List.of("u2#0", "u2#1", "u2#2"));
        assertThat(groups).containsEntry("u1#0,u1#1,u1#2,u1#3,u1#4", "user-1").containsEntry("u2#0,u2#1,u2#2", "user-2");
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> ferry.inspector().task(id).isEmpty()));
        assertThatThrownBy(() -> worker().handleBatch("x", Job.class, 0, Duration.ofSeconds(1), (items, ctx) -> null))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("maxSize"));
        assertThatThrownBy(() -> Task.of("t", new Job("x", 0)).aggregate(""))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("group"));
    }

    @Test
    void anAggregatorThatDiesWhileDeletingABatchsItemsBatchesNoItemTwice() {
        List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger deletes = new AtomicInteger();
        // every call of this worker goes through a broker that fails the second item delete once,
        // as if the aggregator died (or lost its lease) halfway through a stored batch's deletes
        Broker dying = new ForwardingBroker(broker) {
            @Override
            public AdminResponse admin(AdminCommand command) {
                if (command instanceof AdminCommand.Delete && deletes.incrementAndGet() == 2) {
                    throw new IllegalStateException("killed between two deletes");
                }
                return super.admin(command);
            }
        };
        started(testWorker(extraFerry(dying), Duration.ofSeconds(5)).queues("digest")
                .handleBatch("digest.add", Job.class, 4, Duration.ofMillis(500), (items, ctx) -> {
                    batches.add(items.stream().map(j -> j.name() + "#" + j.n()).toList());
                    return items.size();
                }));
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tasks.add(Task.of("digest.add", new Job("u", i)).queue("digest").aggregate("user-1"));
        }
        enqueue(tasks);

        await().atMost(WAIT).until(() -> batches.stream().mapToInt(List::size).sum() >= 6);
        assertThat(deletes.get()).as("the failure was injected").isGreaterThanOrEqualTo(2);
        assertThat(batches.stream().flatMap(List::stream).toList()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrder("u#0", "u#1", "u#2", "u#3", "u#4", "u#5");
        assertThat(batches).contains(List.of("u#0", "u#1", "u#2", "u#3"));
    }

    @Test
    void badLimitsAreRefusedWhenDeclared() {
        assertField(() -> Limit.rate("q", 0, Duration.ofSeconds(1)), "limit.limit");
        assertField(() -> Limit.rate("q", -5, Duration.ofSeconds(1)), "limit.limit");
        assertField(() -> Limit.rate("q", 5, Duration.ZERO), "limit.per");
        assertField(() -> Limit.rate("q", 5, Duration.ofSeconds(-1)), "limit.per");
        assertField(() -> Limit.rate("q", 5, Duration.ofSeconds(1)).burst(0), "limit.burst");
        assertField(() -> Limit.concurrency("q", 0), "limit.limit");
        assertField(() -> Limit.concurrency("bad queue", 1), "limit.queue");
        assertField(() -> Limit.concurrency("q", 1).burst(3), "limit.burst");
        assertField(() -> Limit.parse("emails=100/1y"), "limit");
        assertField(() -> Limit.parse("emails"), "limit");
        assertField(() -> Limit.parse("emails=lots"), "limit");
        assertField(() -> worker().limit(Limit.concurrency("q", 1)).limit(Limit.concurrency("q", 2)), "limit");
        assertField(() -> Task.of("t", new Job("k", 0)).key(" "), "key");
        assertField(() -> Task.of("t", new Job("k", 0)).tenant(""), "tenant");
        assertField(() -> Task.of("t", new Job("k", 0)).tenant("x".repeat(201)), "tenant");
        assertThat(Limit.parse("key:emails=100/1m:burst=10"))
                .isEqualTo(Limit.rate("emails", 100, Duration.ofMinutes(1)).burst(10).perKey());
        assertThat(Limit.parse("orders=3")).isEqualTo(Limit.concurrency("orders", 3));
    }

    private static void assertField(Runnable call, String field) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(field));
    }
}
