package dev.ferry.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskOutcome;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.WorkerBuilder;
import dev.ferry.spi.Broker;
import dev.ferry.workflow.Workflow;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing end to end through a real worker on a real broker: the producer span under the caller's
 * span, the trace context stored with the task, the consumer span under the producer span. Each
 * backend runs the same tests.
 */
@SuppressWarnings("try") // scopes are held to make a span or baggage current
abstract class TracingContract {
    static final Duration WAIT = Duration.ofSeconds(20);

    /** A payload for the tests. */
    record Job(String name) {
    }

    @TempDir
    Path dir;

    InMemorySpanExporter spans;
    OpenTelemetrySdk otel;
    Tracer testTracer;
    Broker broker;
    Ferry ferry;
    private final List<Worker> workers = new ArrayList<>();
    private final List<Ferry> extraFerries = new ArrayList<>();
    private final AtomicBoolean snoozedOnce = new AtomicBoolean();

    /** A fresh, empty broker; {@code dir} is a temporary directory for file-backed brokers. */
    abstract Broker newBroker(Path dir);

    @BeforeEach
    void setUp() {
        spans = InMemorySpanExporter.create();
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        testTracer = otel.getTracer("test");
        broker = newBroker(dir);
        ferry = tracedFerry(FerryTracing.create(otel));
    }

    @AfterEach
    void tearDown() {
        for (Worker w : workers) {
            w.shutdown(Duration.ofSeconds(5));
        }
        extraFerries.forEach(Ferry::close);
        ferry.close();
        broker.close();
        otel.close();
    }

    Ferry tracedFerry(FerryTracing tracing) {
        return Ferry.builder().broker(broker).enqueueInterceptor(tracing.enqueueInterceptor()).build();
    }

    /** A worker with tracing middleware, fast retries and short intervals. */
    WorkerBuilder worker(Ferry on, FerryTracing tracing) {
        return on.worker()
                .queues("mail", "default")
                .pollInterval(Duration.ofMillis(50))
                .retryPolicy(RetryPolicy.fixed(Duration.ofMillis(10)))
                .middleware(tracing.middleware());
    }

    WorkerBuilder worker() {
        return worker(ferry, FerryTracing.create(otel));
    }

    Worker started(WorkerBuilder builder) {
        Worker w = builder.start();
        workers.add(w);
        return w;
    }

    TaskInfo awaitState(String id, TaskState state) {
        await().atMost(WAIT).until(() -> ferry.inspector().task(id).map(TaskInfo::state).orElse(null) == state);
        return ferry.inspector().task(id).orElseThrow();
    }

    List<SpanData> awaitSpans(String name, int count) {
        await().atMost(WAIT).until(() -> named(name).size() >= count);
        List<SpanData> found = named(name);
        assertThat(found).hasSize(count);
        return found;
    }

    List<SpanData> named(String name) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    }

    SpanData only(String name) {
        return awaitSpans(name, 1).get(0);
    }

    static String attr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    static Long longAttr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.longKey(key));
    }

    static String traceparent(SpanContext sc) {
        return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
    }

    @Test
    void consumerSpanIsAChildOfTheProducerSpanWhichIsAChildOfTheCallersSpan() {
        Map<String, String> handlerHeaders = new ConcurrentHashMap<>();
        started(worker().handle("mail.send", Job.class, (job, ctx) -> {
            handlerHeaders.putAll(ctx.headers());
            Span own = testTracer.spanBuilder("smtp").startSpan(); // the handler's own work
            own.end();
            return "sent";
        }));

        Span request = testTracer.spanBuilder("request").setSpanKind(SpanKind.SERVER).startSpan();
        EnqueueResult result;
        try (Scope ignored = request.makeCurrent()) {
            result = ferry.client().enqueue(Task.of("mail.send", new Job("a")).queue("mail"));
        } finally {
            request.end();
        }
        awaitState(result.id(), TaskState.COMPLETED);

        SpanData caller = only("request");
        SpanData send = only("send mail");
        SpanData process = only("process mail");
        SpanData own = only("smtp");

        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(send.getTraceId()).isEqualTo(caller.getTraceId());
        assertThat(send.getParentSpanId()).isEqualTo(caller.getSpanId());
        assertThat(attr(send, "messaging.system")).isEqualTo("ferry");
        assertThat(attr(send, "messaging.destination.name")).isEqualTo("mail");
        assertThat(attr(send, "messaging.operation.type")).isEqualTo("send");
        assertThat(attr(send, "messaging.operation.name")).isEqualTo("send");
        assertThat(attr(send, "messaging.message.id")).isEqualTo(result.id());
        assertThat(attr(send, "messaging.ferry.task.type")).isEqualTo("mail.send");
        assertThat(attr(send, "messaging.ferry.enqueue.status")).isEqualTo("created");
        assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(process.getTraceId()).isEqualTo(send.getTraceId());
        assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
        assertThat(process.getLinks()).extracting(l -> l.getSpanContext().getSpanId()).containsExactly(send.getSpanId());
        assertThat(process.getLinks()).extracting(l -> l.getSpanContext().getTraceId()).containsExactly(send.getTraceId());
        assertThat(attr(process, "messaging.system")).isEqualTo("ferry");
        assertThat(attr(process, "messaging.destination.name")).isEqualTo("mail");
        assertThat(attr(process, "messaging.operation.type")).isEqualTo("process");
        assertThat(attr(process, "messaging.message.id")).isEqualTo(result.id());
        assertThat(attr(process, "messaging.ferry.task.type")).isEqualTo("mail.send");
        assertThat(longAttr(process, "messaging.ferry.task.attempt")).isEqualTo(1L);
        assertThat(attr(process, "messaging.ferry.task.outcome")).isEqualTo("completed");
        assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        // the handler's own span nests under the consumer span
        assertThat(own.getTraceId()).isEqualTo(caller.getTraceId());
        assertThat(own.getParentSpanId()).isEqualTo(process.getSpanId());

        // the context went through the backend: stored with the task, handed to the handler
        String expected = traceparent(send.getSpanContext());
        assertThat(handlerHeaders).containsEntry("traceparent", expected);
        assertThat(ferry.inspector().task(result.id()).orElseThrow().headers()).containsEntry("traceparent", expected);
    }

    @Test
    void everyRetryGetsItsOwnConsumerSpanInTheSameTrace() {
        started(worker().handle("mail.send", Job.class, (job, ctx) -> {
            if (ctx.attempt() < 3) {
                throw new IllegalStateException("smtp down, attempt " + ctx.attempt());
            }
            return "sent";
        }));
        String id = ferry.client().enqueue(Task.of("mail.send", new Job("r")).queue("mail").maxAttempts(3)).id();
        awaitState(id, TaskState.COMPLETED);

        SpanData send = only("send mail");
        List<SpanData> attempts = awaitSpans("process mail", 3).stream()
                .sorted(Comparator.comparing(s -> longAttr(s, "messaging.ferry.task.attempt")))
                .toList();
        assertThat(attempts).extracting(s -> longAttr(s, "messaging.ferry.task.attempt")).containsExactly(1L, 2L, 3L);
        assertThat(attempts).allSatisfy(s -> {
            assertThat(s.getTraceId()).isEqualTo(send.getTraceId());
            assertThat(s.getParentSpanId()).isEqualTo(send.getSpanId());
            assertThat(attr(s, "messaging.message.id")).isEqualTo(id);
        });
        assertThat(attempts).extracting(s -> s.getStatus().getStatusCode())
                .containsExactly(StatusCode.ERROR, StatusCode.ERROR, StatusCode.UNSET);
        assertThat(attempts.get(0).getEvents()).extracting(EventData::getName).containsExactly("exception");
        assertThat(attempts.get(2).getEvents()).isEmpty();
    }

    @Test
    void aFailingHandlerRecordsTheException() {
        started(worker().handle("mail.send", Job.class, (job, ctx) -> {
            throw new IllegalArgumentException("no such mailbox");
        }));
        String id = ferry.client().enqueue(Task.of("mail.send", new Job("x")).queue("mail").maxAttempts(1)).id();
        awaitState(id, TaskState.DEAD);

        SpanData process = only("process mail");
        assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(process.getStatus().getDescription()).isEqualTo("no such mailbox");
        assertThat(attr(process, "error.type")).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(attr(process, "messaging.ferry.task.outcome")).isEqualTo("error");
        EventData exception = process.getEvents().get(0);
        assertThat(exception.getName()).isEqualTo("exception");
        assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.type")))
                .isEqualTo(IllegalArgumentException.class.getName());
        assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.message"))).isEqualTo("no such mailbox");
        assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.stacktrace"))).contains("no such mailbox");
    }

    @Test
    void aNonRetryableFailureIsMarkedFailed() {
        started(worker().handle("mail.send", Job.class, (job, ctx) -> {
            throw TaskOutcome.fail("bounced");
        }));
        String id = ferry.client().enqueue(Task.of("mail.send", new Job("f")).queue("mail")).id();
        awaitState(id, TaskState.DEAD);

        SpanData process = only("process mail");
        assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attr(process, "messaging.ferry.task.outcome")).isEqualTo("failed");
    }

    @Test
    void aSnoozeIsNoError() {
        started(worker().handle("mail.send", Job.class, (job, ctx) -> {
            if (!snoozedOnce.getAndSet(true)) {
                throw TaskOutcome.snooze(Duration.ZERO);
            }
            return "sent";
        }));
        String id = ferry.client().enqueue(Task.of("mail.send", new Job("s")).queue("mail")).id();
        awaitState(id, TaskState.COMPLETED);

        List<SpanData> runs = awaitSpans("process mail", 2);
        assertThat(runs).extracting(s -> attr(s, "messaging.ferry.task.outcome")).containsExactlyInAnyOrder("snoozed", "completed");
        assertThat(runs).allSatisfy(s -> assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET));
        assertThat(runs).extracting(SpanData::getTraceId).containsOnly(only("send mail").getTraceId());
    }

    @Test
    void enqueueAllOfThreeGivesThreeConsumerSpansInTheProducersTrace() {
        started(worker().concurrency(3).handle("mail.send", Job.class, (job, ctx) -> job.name()));
        Span request = testTracer.spanBuilder("request").startSpan();
        List<EnqueueResult> results;
        try (Scope ignored = request.makeCurrent()) {
            results = ferry.client().enqueueAll(List.of(
                    Task.of("mail.send", new Job("1")).queue("mail"),
                    Task.of("mail.send", new Job("2")).queue("mail"),
                    Task.of("mail.send", new Job("3")).queue("mail")));
        } finally {
            request.end();
        }
        results.forEach(r -> awaitState(r.id(), TaskState.COMPLETED));

        SpanData send = only("send mail");
        assertThat(send.getParentSpanId()).isEqualTo(only("request").getSpanId());
        assertThat(longAttr(send, "messaging.batch.message_count")).isEqualTo(3L);
        assertThat(attr(send, "messaging.message.id")).isNull(); // one id per message: not on a batch span

        List<SpanData> processes = awaitSpans("process mail", 3);
        assertThat(processes).allSatisfy(s -> {
            assertThat(s.getTraceId()).isEqualTo(send.getTraceId());
            assertThat(s.getParentSpanId()).isEqualTo(send.getSpanId());
        });
        assertThat(processes).extracting(s -> attr(s, "messaging.message.id"))
                .containsExactlyInAnyOrderElementsOf(results.stream().map(EnqueueResult::id).toList());
    }

    @Test
    void workflowStepsJoinTheCallersTraceThroughWithCurrentContext() {
        FerryTracing tracing = FerryTracing.create(otel);
        started(worker()
                .handle("wf.first", Job.class, (job, ctx) -> job.name() + "!")
                .handle("wf.second", String.class, (input, ctx) -> input));
        Span request = testTracer.spanBuilder("request").startSpan();
        try (Scope ignored = request.makeCurrent()) {
            // the workflow engine stores steps without the client's interceptors
            ferry.workflows().start(Workflow.chain(
                    tracing.withCurrentContext(Task.of("wf.first", new Job("w")).queue("mail")),
                    tracing.withCurrentContext(Workflow.step("wf.second").queue("mail"))));
        } finally {
            request.end();
        }

        SpanData caller = only("request");
        List<SpanData> steps = awaitSpans("process mail", 2);
        assertThat(steps).extracting(s -> attr(s, "messaging.ferry.task.type")).containsExactlyInAnyOrder("wf.first", "wf.second");
        assertThat(steps).allSatisfy(s -> {
            assertThat(s.getTraceId()).isEqualTo(caller.getTraceId());
            assertThat(s.getParentSpanId()).isEqualTo(caller.getSpanId());
        });
        assertThat(named("send mail")).isEmpty();
    }

    @Test
    void withLinksOnlyTheConsumerStartsItsOwnTraceLinkedToTheProducer() {
        FerryTracing linking = FerryTracing.builder(otel).producerAsParent(false).build();
        started(worker(ferry, linking).handle("mail.send", Job.class, (job, ctx) -> "ok"));
        String id = ferry.client().enqueue(Task.of("mail.send", new Job("l")).queue("mail")).id();
        awaitState(id, TaskState.COMPLETED);

        SpanData send = only("send mail");
        SpanData process = only("process mail");
        assertThat(process.getParentSpanContext().isValid()).isFalse();
        assertThat(process.getTraceId()).isNotEqualTo(send.getTraceId());
        assertThat(process.getLinks()).extracting(l -> l.getSpanContext().getSpanId()).containsExactly(send.getSpanId());
        assertThat(process.getLinks()).extracting(l -> l.getSpanContext().getTraceId()).containsExactly(send.getTraceId());
    }

    @Test
    void withOpenTelemetryNoopNoHeadersAreAddedAndTasksStillRun() {
        FerryTracing noop = FerryTracing.create(OpenTelemetry.noop());
        Ferry plain = tracedFerry(noop);
        extraFerries.add(plain);
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        AtomicReference<SpanContext> current = new AtomicReference<>();
        started(worker(plain, noop).handle("mail.send", Job.class, (job, ctx) -> {
            seen.set(ctx.headers());
            current.set(Span.current().getSpanContext());
            return "ok";
        }));

        List<EnqueueResult> results = plain.client().enqueueAll(List.of(
                Task.of("mail.send", new Job("n1")).queue("mail"),
                Task.of("mail.send", new Job("n2")).queue("mail").header("tenant", "acme")));
        results.forEach(r -> awaitState(r.id(), TaskState.COMPLETED));

        assertThat(ferry.inspector().task(results.get(0).id()).orElseThrow().headers()).isEmpty();
        assertThat(ferry.inspector().task(results.get(1).id()).orElseThrow().headers()).containsExactly(Map.entry("tenant", "acme"));
        assertThat(seen.get()).isNotNull();
        assertThat(current.get().isValid()).isFalse();
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void aWorkerWithoutTracingRunsTracedTasks() {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        started(ferry.worker().queues("mail").pollInterval(Duration.ofMillis(50))
                .handle("mail.send", Job.class, (job, ctx) -> seen.add(ctx.headers())));
        String id = ferry.client().enqueue(Task.of("mail.send", new Job("w")).queue("mail")).id();
        awaitState(id, TaskState.COMPLETED);

        assertThat(seen).singleElement().satisfies(h -> assertThat(h).containsKey("traceparent"));
        assertThat(named("process mail")).isEmpty();
    }
}
