package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.BrokerException;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.RawJson;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskOutcome;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.WorkerBuilder;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AckResponse;
import dev.ferry.spi.Broker;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.EnqueueResponse;
import dev.ferry.spi.ForwardingBroker;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import dev.ferry.workflow.FailurePolicy;
import dev.ferry.workflow.Workflow;
import dev.ferry.workflow.WorkflowInfo;
import dev.ferry.workflow.WorkflowRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The promises of workflows (chain, group, chord, flows, graphs) end to end on a real broker
 * with real workers and the real clock: results passed on, each step released exactly once
 * (also when 50 members finish at once on several workers, when an ack is lost after the
 * continuation ran, and when the continuation fails half-way), failure policies, cancel, the
 * inspector's view and bad input refused with nothing stored.
 *
 * <p>A backend proves them with one method, as for {@link WorkerContract}. Steps use several
 * queues, so on Redis Cluster they live on different hash slots. Waits are bounded (Awaitility).
 */
public abstract class WorkflowContract extends LiveBrokerFixture {
    protected static final Duration WAIT = Duration.ofSeconds(30);
    private static final String[] QUEUES = {"wf-a", "wf-b", "wf-c", "default"};

    /** A number payload. */
    public record Num(int n) {
    }

    /** Handler runs by task id (a step runs twice only after a lost ack or a failed continuation). */
    private final Map<String, Integer> runs = new ConcurrentHashMap<>();
    /** Handler starts and ends, in the order they happened. */
    private final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A worker on every test queue with the standard test handlers. */
    private WorkerBuilder worker(Ferry on) {
        return testWorker(on, Duration.ofSeconds(2))
                .queues(QUEUES)
                .concurrency(8)
                .handle("num.start", Num.class, (num, ctx) -> {
                    count(ctx.id());
                    log.add("end:" + ctx.id());
                    return num.n();
                })
                .handle("num.double", Integer.class, (x, ctx) -> {
                    count(ctx.id());
                    return x * 2;
                })
                .handle("num.sum", RawJson.class, (list, ctx) -> {
                    count(ctx.id());
                    log.add("start:" + ctx.id());
                    int sum = ctx.inputs(Integer.class).stream().mapToInt(Integer::intValue).sum();
                    log.add("end:" + ctx.id());
                    return sum;
                })
                .handle("num.collect", RawJson.class, (raw, ctx) -> {
                    count(ctx.id());
                    log.add("start:" + ctx.id());
                    return raw;
                })
                .handle("num.fail", Num.class, (num, ctx) -> {
                    count(ctx.id());
                    throw TaskOutcome.fail("step fails on purpose");
                })
                .handle("num.block", Num.class, (num, ctx) -> {
                    count(ctx.id());
                    // a long-running step: it ends only when cancel interrupts it
                    new CountDownLatch(1).await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    throw new IllegalStateException("never cancelled");
                });
    }


    private void count(String taskId) {
        runs.merge(taskId, 1, Integer::sum);
    }

    private int runsOf(String taskId) {
        return runs.getOrDefault(taskId, 0);
    }

    private WorkflowInfo awaitStatus(String id, WorkflowInfo.Status status) {
        await().atMost(WAIT).until(() -> ferry.inspector().workflow(id).map(WorkflowInfo::status).orElse(null) == status);
        return ferry.inspector().workflow(id).orElseThrow();
    }

    private static Task start(int n, String queue) {
        return Task.of("num.start", new Num(n)).queue(queue);
    }

    // ---- canvas ------------------------------------------------------------------------------

    @Test
    void chainPassesEachResultToTheNextStep() {
        started(worker(ferry));
        WorkflowRun run = ferry.workflows().start(Workflow.chain(
                start(3, "wf-a"),
                Workflow.step("num.double").queue("wf-b"),
                Workflow.step("num.double").queue("wf-c")));

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        assertThat(info.resultJson()).isEqualTo("12");
        assertThat(info.steps()).extracting(WorkflowInfo.StepInfo::name).containsExactly("num.start", "num.double", "num.double-2");
        assertThat(info.steps()).extracting(WorkflowInfo.StepInfo::state).containsOnly(TaskState.COMPLETED);
        assertThat(info.step("num.double-2").dependsOn()).containsExactly("num.double");
        assertThat(info.step("num.double-2").queue()).isEqualTo("wf-c");
        assertThat(run.taskId("num.double")).isEqualTo("wf." + run.id() + ".num.double");
        assertThat(ferry.inspector().result(run.taskId("num.double"), Integer.class)).contains(6);
        run.taskIds().values().forEach(id -> assertThat(runsOf(id)).as(id).isEqualTo(1));
    }

    @Test
    void aStepWithItsOwnPayloadKeepsItAndReadsItsInputFromTheContext() {
        Map<String, String> seen = new ConcurrentHashMap<>();
        started(worker(ferry).handle("num.peek", Num.class, (num, ctx) -> {
            seen.put("payload", String.valueOf(num.n()));
            seen.put("input", String.valueOf(ctx.input(Integer.class)));
            return num.n() + ctx.input(Integer.class);
        }));
        WorkflowRun run = ferry.workflows().start(Workflow.chain(start(5, "wf-a"), Task.of("num.peek", new Num(100)).queue("wf-b")));

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        assertThat(seen).containsEntry("payload", "100").containsEntry("input", "5");
        assertThat(info.resultJson()).isEqualTo("105");
    }

    @Test
    void groupResultIsTheListOfResultsInOrder() {
        started(worker(ferry));
        WorkflowRun run = ferry.workflows().start(Workflow.group(start(1, "wf-c"), start(2, "wf-b"), start(3, "wf-a"), start(4, "default")));

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        assertThat(info.resultJson()).isEqualTo("[1,2,3,4]");
        assertThat(info.steps()).hasSize(4).allMatch(s -> s.dependsOn().isEmpty());
    }

    @Test
    void chordCallbackRunsOnceWithAllResultsWhenFiftyMembersFinishTogetherOnSeveralWorkers() {
        for (int i = 0; i < 3; i++) {
            started(worker(ferry));
        }
        Object[] members = IntStream.range(0, 50).mapToObj(i -> start(i, QUEUES[i % QUEUES.length])).toArray();
        WorkflowRun run = ferry.workflows().start(Workflow.chord(Workflow.group(members), Workflow.step("num.collect").queue("wf-a")));

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        String expected = IntStream.range(0, 50).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElseThrow();
        assertThat(info.resultJson()).isEqualTo(expected);
        assertThat(runsOf(run.taskId("num.collect"))).isEqualTo(1);
        assertThat(info.step("num.collect").dependsOn()).hasSize(50);
        assertThat(ferry.inspector().task(run.taskId("num.collect")).orElseThrow().payloadJson()).isEqualTo(expected);
    }

    @Test
    void chainOfGroupsFansOutAndIn() {
        started(worker(ferry));
        WorkflowRun run = ferry.workflows().start(Workflow.chain(
                start(2, "wf-a"),
                Workflow.group(Workflow.step("num.double").queue("wf-b"), Workflow.step("num.double").queue("wf-c")),
                Workflow.step("num.sum")));

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        assertThat(info.resultJson()).isEqualTo("8");
    }

    @Test
    void flowOfDepthThreeRunsEachParentAfterItsChildrenAcrossQueues() {
        started(worker(ferry));
        Workflow flow = Workflow.flow(Workflow.step("root", Workflow.step("num.collect").queue("default")),
                Workflow.flow(Workflow.step("mid", Workflow.step("num.sum").queue("wf-a")),
                        Workflow.step("leaf1", start(1, "wf-b")),
                        Workflow.step("leaf2", start(2, "wf-c"))),
                Workflow.step("leaf3", start(3, "wf-a")));
        WorkflowRun run = ferry.workflows().start(flow);

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        assertThat(info.resultJson()).isEqualTo("[3,3]");
        assertThat(info.step("root").dependsOn()).containsExactly("mid", "leaf3");
        assertThat(info.step("mid").dependsOn()).containsExactly("leaf1", "leaf2");
        for (String leaf : List.of("leaf1", "leaf2")) {
            assertThat(log.indexOf("end:" + run.taskId(leaf))).isLessThan(log.indexOf("start:" + run.taskId("mid")));
        }
        assertThat(log.indexOf("end:" + run.taskId("leaf3"))).isLessThan(log.indexOf("start:" + run.taskId("root")));
        assertThat(log.indexOf("end:" + run.taskId("mid"))).isGreaterThan(-1).isLessThan(log.indexOf("start:" + run.taskId("root")));
        run.taskIds().values().forEach(id -> assertThat(runsOf(id)).as(id).isEqualTo(1));
    }

    @Test
    void explicitGraphWithDependsOn() {
        started(worker(ferry));
        Workflow dag = Workflow.dag()
                .step("sum", Workflow.step("num.sum"), "a", "b")
                .step("a", start(4, "wf-a"))
                .step("b", Workflow.step("num.double").queue("wf-b"), "a")
                .build();
        WorkflowRun run = ferry.workflows().start(dag);

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        assertThat(info.resultJson()).isEqualTo("12");
        assertThat(info.steps()).extracting(WorkflowInfo.StepInfo::name).containsExactly("a", "b", "sum");
    }

    // ---- failure policies and cancel ------------------------------------------------------------

    @Test
    void failRestCancelsTheWorkflowWhenAStepDies() {
        started(worker(ferry));
        WorkflowRun run = ferry.workflows().start(Workflow.chord(
                Workflow.group(Workflow.step("ok", start(1, "wf-a")), Workflow.step("bad", Task.of("num.fail", new Num(0)).queue("wf-b")),
                        Workflow.step("slow", Task.of("num.block", new Num(0)).queue("wf-c"))),
                Workflow.step("cb", Workflow.step("num.collect"))));

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.FAILED);
        // the failure path runs before the dead step's own ack is applied
        await().atMost(WAIT).until(() -> ferry.inspector().workflow(run.id()).orElseThrow().step("bad").state() == TaskState.DEAD);
        assertThat(info.step("cb").state()).isEqualTo(TaskState.CANCELLED);
        await().atMost(WAIT).until(() -> ferry.inspector().workflow(run.id()).orElseThrow().step("slow").state() == TaskState.CANCELLED);
        assertThat(ferry.inspector().task(run.taskId("cb"))).isEmpty();
        assertThat(runsOf(run.taskId("cb"))).isZero();
        assertThat(info.resultJson()).isNull();
    }

    @Test
    void continueGivesTheCallbackAFailureMarker() {
        started(worker(ferry));
        WorkflowRun run = ferry.workflows().start(Workflow.chord(
                Workflow.group(start(1, "wf-a"), Task.of("num.fail", new Num(0)).queue("wf-b")),
                Workflow.step("num.collect")).policy(FailurePolicy.CONTINUE));

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        String cbResult = ferry.inspector().task(run.taskId("num.collect")).orElseThrow().resultJson();
        assertThat(cbResult).startsWith("[1,{\"ferryStepFailure\":").contains("\"state\":\"DEAD\"", "step fails on purpose");
        // the continuation runs before the failed step's own ack, so the step may still show ACTIVE for a moment
        await().atMost(WAIT).until(() -> ferry.inspector().workflow(run.id()).orElseThrow().step("num.fail").state() == TaskState.DEAD);
    }

    @Test
    void ignoreLeavesTheFailedChildOutOfTheParentsInputs() {
        started(worker(ferry));
        WorkflowRun run = ferry.workflows().start(Workflow.flow(Workflow.step("num.collect"),
                start(1, "wf-a"), Task.of("num.fail", new Num(0)).queue("wf-b"), start(3, "wf-c")).policy(FailurePolicy.IGNORE));

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        assertThat(ferry.inspector().task(run.taskId("num.collect")).orElseThrow().resultJson()).isEqualTo("[1,3]");
        assertThat(info.resultJson()).isEqualTo("[1,3]");
    }

    @Test
    void cancellingAWorkflowStopsItsStepsAndReleasesNothingMore() {
        started(worker(ferry));
        WorkflowRun run = ferry.workflows().start(Workflow.chain(
                Workflow.step("slow", Task.of("num.block", new Num(0)).queue("wf-a")),
                Workflow.step("next", Workflow.step("num.collect"))).id("cancel-me"));
        await().atMost(WAIT).until(() -> runsOf(run.taskId("slow")) == 1);

        assertThat(ferry.inspector().cancelWorkflow("cancel-me")).isTrue();

        WorkflowInfo info = awaitStatus("cancel-me", WorkflowInfo.Status.CANCELLED);
        await().atMost(WAIT).until(() -> ferry.inspector().task(run.taskId("slow")).orElseThrow().state() == TaskState.CANCELLED);
        assertThat(info.step("next").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(ferry.inspector().task(run.taskId("next"))).isEmpty();
        assertThat(runsOf(run.taskId("next"))).isZero();
        assertThat(ferry.inspector().cancelWorkflow("no-such-workflow")).isFalse();
        assertThat(ferry.inspector().workflow("no-such-workflow")).isEmpty();
    }

    @Test
    void aStepNotYetReleasedShowsAsWaiting() {
        // no worker: the first step stays pending, the second is not released
        WorkflowRun run = ferry.workflows().start(Workflow.chain(start(1, "wf-a"), Workflow.step("num.double")));
        WorkflowInfo info = ferry.inspector().workflow(run.id()).orElseThrow();
        assertThat(info.status()).isEqualTo(WorkflowInfo.Status.RUNNING);
        assertThat(info.step("num.start").state()).isEqualTo(TaskState.PENDING);
        assertThat(info.step("num.double").state()).isEqualTo(TaskState.WAITING);
        assertThat(info.step("num.start").taskId()).isEqualTo(run.taskId("num.start"));
        assertThat(info.step("num.start").type()).isEqualTo("num.start");

        dev.ferry.Explanation why = ferry.inspector().explain(run.taskId("num.double"));
        assertThat(why.reason()).isEqualTo(dev.ferry.Explanation.Reason.WAITING_FOR_PARENTS);
        assertThat(why.message()).contains("step of workflow " + run.id(), "its parent step num.start");
    }

    // ---- starting ------------------------------------------------------------------------------

    @Test
    void startingTheSameWorkflowIdTwiceCreatesNothingNew() {
        Workflow wf = Workflow.chain(start(1, "wf-a"), Workflow.step("num.double")).id("order-1");
        WorkflowRun first = ferry.workflows().start(wf);
        WorkflowRun second = ferry.workflows().start(wf);
        assertThat(second).isEqualTo(first);
        assertThat(pendingTotal()).isEqualTo(1);

        assertThatThrownBy(() -> ferry.workflows().start(Workflow.chain(start(2, "wf-a")).id("order-1")))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("id"));

        started(worker(ferry));
        assertThat(awaitStatus("order-1", WorkflowInfo.Status.COMPLETED).resultJson()).isEqualTo("2");
        run(first).values().forEach(n -> assertThat(n).isEqualTo(1));

        // finished, and its first step's task pruned: starting it again runs nothing again
        assertThat(ferry.inspector().delete(first.taskId("num.start"))).isTrue();
        ferry.workflows().start(wf);
        assertThat(ferry.inspector().task(first.taskId("num.start"))).isEmpty();
        assertThat(ferry.inspector().workflow("order-1").orElseThrow().status()).isEqualTo(WorkflowInfo.Status.COMPLETED);
    }

    private Map<String, Integer> run(WorkflowRun r) {
        Map<String, Integer> m = new java.util.HashMap<>();
        r.taskIds().values().forEach(id -> m.put(id, runsOf(id)));
        return m;
    }

    private long pendingTotal() {
        return ferry.inspector().queues().stream().mapToLong(q -> q.counts().getOrDefault(TaskState.PENDING, 0L)).sum();
    }

    @Test
    void badInputIsRefusedAtDefinitionTimeWithNothingStored() {
        assertField(() -> Workflow.group(), "group");
        assertField(() -> Workflow.chain(), "chain");
        assertField(() -> Workflow.chord(Workflow.group(start(1, "wf-a")).policy(FailurePolicy.IGNORE), Workflow.step("x")), "chord.group");
        assertField(() -> Workflow.chain(start(1, "wf-a"), "not a task"), "chain[1]");
        assertField(() -> Workflow.chain(start(1, "wf-a").id("mine")), "chain[0].id");
        assertField(() -> Workflow.chain(start(1, "wf-a").runAt(Instant.now())), "chain[0].runAt");
        assertField(() -> Workflow.group(start(1, "wf-a").unique("k", Duration.ofMinutes(1))), "group[0].uniqueKey");
        assertField(() -> Workflow.group(start(1, "wf-a").header("ferry-group", "g")), "group[0].group");
        assertField(() -> Workflow.dag().step("a", start(1, "wf-a"), "b").step("b", start(1, "wf-a"), "a").build(), "steps");
        assertField(() -> Workflow.dag().step("a", start(1, "wf-a"), "a").build(), "steps[a].dependsOn");
        assertField(() -> Workflow.dag().step("a", start(1, "wf-a"), "ghost").build(), "steps[a].dependsOn");
        assertField(() -> Workflow.dag().step("a", start(1, "wf-a")).step("a", start(2, "wf-a")), "steps[a]");
        assertField(() -> Workflow.group(Workflow.step("x", start(1, "wf-a")), Workflow.step("x", start(2, "wf-a"))), "steps[x]");
        assertField(() -> Workflow.dag().build(), "steps");
        assertField(() -> Workflow.chain(start(1, "wf-a")).id("has.dot"), "id");
        assertThatThrownBy(() -> Workflow.dag().step("a", start(1, "wf-a"), "c").step("b", start(1, "wf-a"), "a")
                .step("c", start(1, "wf-a"), "b").build()).hasMessageContaining("cycle").hasMessageContaining("[a, b, c]");

        // refused at start (bad queue name): nothing stored, no task enqueued
        assertField(() -> ferry.workflows().start(Workflow.chain(start(1, "wf-a"), Workflow.step("num.double").queue("bad queue")).id("refused")),
                "steps[num.double].queue");
        assertField(() -> ferry.workflows().start(Workflow.chain(start(1, "wf-a").header("ferry-wf", "x")).id("refused")),
                "steps[num.start].headers");
        assertThat(broker.idempotency(new IdempotencyRequest("ferry-wf:refused", null, Duration.ofMinutes(1)))).isEmpty();
        assertThat(ferry.inspector().queues()).allMatch(q -> q.counts().values().stream().mapToLong(Long::longValue).sum() == 0);
        assertThat(ferry.inspector().workflow("refused")).isEmpty();
    }

    private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    // ---- crash safety ---------------------------------------------------------------------------

    /** Drops the first ack of one task (as if the worker died after its continuation ran). */
    private static final class DropFirstAck extends ForwardingBroker {
        private final String taskId;
        private final AtomicBoolean dropped = new AtomicBoolean();

        DropFirstAck(Broker delegate, String taskId) {
            super(delegate);
            this.taskId = taskId;
        }

        @Override
        public AckResponse ack(AckRequest request) {
            List<Ack> keep = new ArrayList<>();
            for (Ack a : request.acks()) {
                if (a.lease().taskId().equals(taskId) && dropped.compareAndSet(false, true)) {
                    continue; // lost on the way: the task stays active until its lease expires
                }
                keep.add(a);
            }
            return keep.isEmpty() ? new AckResponse(Set.of()) : super.ack(new AckRequest(keep));
        }
    }

    /** Fails the first enqueue of one task: the continuation dies between the result record and the release. */
    private static final class FailFirstEnqueue extends ForwardingBroker {
        private final String taskId;
        private final AtomicBoolean failed = new AtomicBoolean();

        FailFirstEnqueue(Broker delegate, String taskId) {
            super(delegate);
            this.taskId = taskId;
        }

        @Override
        public EnqueueResponse enqueue(EnqueueRequest request) {
            if (request.tasks().stream().anyMatch(t -> t.id().equals(taskId)) && failed.compareAndSet(false, true)) {
                throw new BrokerException("connection reset (injected)", true);
            }
            return super.enqueue(request);
        }
    }

    /** Swallows renewals: every lease runs out while its handler still runs. */
    private static final class NoRenewals extends ForwardingBroker {
        NoRenewals(Broker delegate) {
            super(delegate);
        }

        @Override
        public RenewResponse renew(RenewRequest request) {
            return new RenewResponse(Set.of(), Set.of());
        }
    }

    private Ferry over(Broker decorated) {
        return extraFerry(decorated);
    }

    @Test
    void anAckLostAfterTheContinuationRanReleasesTheNextStepExactlyOnce() {
        Workflow wf = Workflow.chain(Workflow.step("a", start(7, "wf-a")), Workflow.step("b", Workflow.step("num.double").queue("wf-b"))).id("lost-ack");
        Ferry faulty = over(new DropFirstAck(broker, "wf.lost-ack.a"));
        started(worker(faulty).lease(Duration.ofSeconds(1)));
        WorkflowRun run = faulty.workflows().start(wf);

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        await().atMost(WAIT).until(() -> runsOf(run.taskId("a")) == 2
                && ferry.inspector().task(run.taskId("a")).orElseThrow().state() == TaskState.COMPLETED);
        assertThat(ferry.inspector().task(run.taskId("a")).orElseThrow().leaseExpirations()).isEqualTo(1);
        assertThat(runsOf(run.taskId("b"))).isEqualTo(1);
        assertThat(info.resultJson()).isEqualTo("14");
    }

    @Test
    void aContinuationFailingBetweenTheRecordAndTheReleaseRetriesTheStep() {
        Workflow wf = Workflow.chain(Workflow.step("a", start(7, "wf-a")), Workflow.step("b", Workflow.step("num.double").queue("wf-b"))).id("half-way");
        Ferry faulty = over(new FailFirstEnqueue(broker, "wf.half-way.b"));
        started(worker(faulty));
        WorkflowRun run = faulty.workflows().start(wf);

        WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED);
        assertThat(info.resultJson()).isEqualTo("14");
        assertThat(runsOf(run.taskId("a"))).isEqualTo(2);
        assertThat(runsOf(run.taskId("b"))).isEqualTo(1);
        TaskInfo a = ferry.inspector().task(run.taskId("a")).orElseThrow();
        assertThat(a.errors()).extracting(e -> e.errorType()).containsExactly("WorkflowContinuationFailed");
    }

    @Test
    void aStartInterruptedAfterStoringTheDefinitionIsRepairedByStartingAgain() {
        Workflow wf = Workflow.chain(Workflow.step("a", start(3, "wf-a")), Workflow.step("num.double")).id("restart");
        Ferry faulty = over(new FailFirstEnqueue(broker, "wf.restart.a"));
        assertThatThrownBy(() -> faulty.workflows().start(wf)).isInstanceOf(BrokerException.class);
        assertThat(ferry.inspector().workflow("restart").orElseThrow().step("a").state()).isEqualTo(TaskState.WAITING);

        WorkflowRun run = faulty.workflows().start(wf);
        started(worker(ferry));
        assertThat(awaitStatus(run.id(), WorkflowInfo.Status.COMPLETED).resultJson()).isEqualTo("6");
        run.taskIds().values().forEach(id -> assertThat(runsOf(id)).as(id).isEqualTo(1));
    }

    @Test
    void aStepThatDiesByLeaseExpiryFailsTheWorkflow() {
        // Renewals never reach the broker: the lease of the running step expires, and with one
        // lease expiration allowed the recoverer makes it dead, with no worker continuation.
        Broker noRenew = new NoRenewals(broker);
        CountDownLatch done = new CountDownLatch(1);
        Ferry faulty = over(noRenew);
        Worker hung = started(worker(faulty).lease(Duration.ofMillis(500)).maxLeaseExpirations(1)
                .handle("num.hang", Num.class, (num, ctx) -> {
                    count(ctx.id());
                    done.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    return 1;
                }));
        WorkflowRun run = faulty.workflows().start(Workflow.chain(
                Workflow.step("hang", Task.of("num.hang", new Num(0)).queue("wf-a")), Workflow.step("after", Workflow.step("num.double"))));
        try {
            WorkflowInfo info = awaitStatus(run.id(), WorkflowInfo.Status.FAILED);
            assertThat(info.step("hang").state()).isEqualTo(TaskState.DEAD);
            assertThat(info.step("after").state()).isEqualTo(TaskState.CANCELLED);
        } finally {
            done.countDown();
        }
        // the late handler's completion does not revive the workflow
        await().atMost(WAIT).until(() -> hung.inFlight() == 0);
        assertThat(ferry.inspector().workflow(run.id()).orElseThrow().status()).isEqualTo(WorkflowInfo.Status.FAILED);
        assertThat(runsOf(run.taskId("after"))).isZero();
    }
}
