package dev.ferry.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import dev.ferry.TaskDefaults;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.testing.InMemoryBroker;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The producer side in detail (names, attributes, errors, odd input) and the builder's checks. */
@SuppressWarnings("try") // scopes are held to make a span or baggage current
class FerryTracingTest {
    record Job(String name) {
    }

    InMemorySpanExporter spans;
    OpenTelemetrySdk otel;
    InMemoryBroker broker;
    Ferry ferry;

    @BeforeEach
    void setUp() {
        spans = InMemorySpanExporter.create();
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                        W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
                .build();
        broker = new InMemoryBroker();
        ferry = Ferry.builder().broker(broker).enqueueInterceptor(FerryTracing.create(otel).enqueueInterceptor()).build();
    }

    @AfterEach
    void tearDown() {
        ferry.close();
        broker.close();
        otel.close();
    }

    private SpanData onlySpan() {
        assertThat(spans.getFinishedSpanItems()).hasSize(1);
        return spans.getFinishedSpanItems().get(0);
    }

    private TaskInfo stored(String id) {
        return ferry.inspector().task(id).orElseThrow();
    }

    @Test
    void withoutACurrentSpanTheProducerSpanStartsATraceAndTheTaskStillCarriesIt() {
        EnqueueResult r = ferry.client().enqueue(Task.of("t", new Job("a")));

        SpanData send = onlySpan();
        assertThat(send.getName()).isEqualTo("send default"); // no queue on the task: the default queue
        assertThat(send.getParentSpanContext().isValid()).isFalse();
        assertThat(stored(r.id()).headers()).containsEntry("traceparent", TracingContract.traceparent(send.getSpanContext()));
        assertThat(stored(r.id()).headers()).doesNotContainKey("baggage"); // no baggage, no header
    }

    @Test
    void theDefaultQueueNamesSpansOfTasksWithoutAQueue() {
        Ferry jobs = Ferry.builder().broker(broker).defaults(TaskDefaults.standard().withQueue("jobs"))
                .enqueueInterceptor(FerryTracing.builder(otel).defaultQueue("jobs").build().enqueueInterceptor())
                .build();
        try {
            EnqueueResult r = jobs.client().enqueue(Task.of("t", new Job("a")));
            assertThat(stored(r.id()).queue()).isEqualTo("jobs");
            assertThat(onlySpan().getName()).isEqualTo("send jobs");
            assertThat(onlySpan().getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))).isEqualTo("jobs");
        } finally {
            jobs.close();
        }
    }

    @Test
    void aBatchOverSeveralQueuesIsNamedByTheOperationAlone() {
        List<EnqueueResult> results = ferry.client().enqueueAll(List.of(
                Task.of("a", new Job("1")).queue("q1"),
                Task.of("b", new Job("2")).queue("q2")));

        SpanData send = onlySpan();
        assertThat(send.getName()).isEqualTo("send");
        assertThat(send.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))).isNull();
        assertThat(send.getAttributes().get(AttributeKey.stringKey("messaging.ferry.task.type"))).isNull();
        assertThat(send.getAttributes().get(AttributeKey.longKey("messaging.batch.message_count"))).isEqualTo(2L);
        String expected = TracingContract.traceparent(send.getSpanContext());
        assertThat(results).allSatisfy(r -> assertThat(stored(r.id()).headers()).containsEntry("traceparent", expected));
    }

    @Test
    void refusedInputIsRecordedOnTheProducerSpanAndStillThrown() {
        assertThatThrownBy(() -> ferry.client().enqueue(Task.of(" ", new Job("a")).queue("mail")))
                .isInstanceOf(InvalidInputException.class);

        SpanData send = onlySpan();
        assertThat(send.getName()).isEqualTo("send mail");
        assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(send.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo(InvalidInputException.class.getName());
        assertThat(send.getEvents()).singleElement().satisfies(e -> assertThat(e.getName()).isEqualTo("exception"));
        assertThat(ferry.inspector().queue("mail").counts().values()).containsOnly(0L);
    }

    @Test
    void duplicatesAreVisibleOnTheProducerSpan() {
        ferry.client().enqueue(Task.of("t", new Job("a")).id("order-1"));
        spans.reset();

        EnqueueResult again = ferry.client().enqueue(Task.of("t", new Job("a")).id("order-1"));
        assertThat(again.duplicate()).isTrue();
        SpanData send = onlySpan();
        assertThat(send.getAttributes().get(AttributeKey.stringKey("messaging.ferry.enqueue.status"))).isEqualTo("duplicate_id");
        assertThat(send.getAttributes().get(AttributeKey.stringKey("messaging.message.id"))).isEqualTo("order-1");
        spans.reset();

        ferry.client().enqueueAll(List.of(Task.of("t", new Job("a")).id("order-1"), Task.of("t", new Job("b")).id("order-2")));
        assertThat(onlySpan().getAttributes().get(AttributeKey.longKey("messaging.ferry.enqueue.duplicates"))).isEqualTo(1L);
    }

    @Test
    void aCarriedTraceContextIsReplacedAndKeptAsALink() {
        // typical source: a handler copying ctx.headers() into a follow-up task
        SpanContext old = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault());
        EnqueueResult r = ferry.client().enqueue(Task.of("t", new Job("a"))
                .header("traceparent", TracingContract.traceparent(old))
                .header("tenant", "acme"));

        SpanData send = onlySpan();
        assertThat(send.getLinks()).extracting(LinkData::getSpanContext)
                .singleElement().satisfies(l -> assertThat(l.getSpanId()).isEqualTo(old.getSpanId()));
        assertThat(stored(r.id()).headers())
                .containsEntry("traceparent", TracingContract.traceparent(send.getSpanContext()))
                .containsEntry("tenant", "acme");
    }

    @Test
    void baggageTravelsWithTheTaskWhenThePropagatorCarriesIt() {
        AtomicReference<String> seen = new AtomicReference<>();
        Worker worker = ferry.worker().pollInterval(Duration.ofMillis(50))
                .middleware(FerryTracing.create(otel).middleware())
                .handle("t", Job.class, (job, ctx) -> {
                    seen.set(Baggage.current().getEntryValue("tenant"));
                    return "ok";
                })
                .start();
        try {
            EnqueueResult r;
            try (Scope ignored = Baggage.builder().put("tenant", "acme").build().makeCurrent()) {
                r = ferry.client().enqueue(Task.of("t", new Job("a")));
            }
            assertThat(stored(r.id()).headers()).containsEntry("baggage", "tenant=acme");
            await().atMost(Duration.ofSeconds(20)).until(() -> stored(r.id()).state() == TaskState.COMPLETED);
            assertThat(seen.get()).isEqualTo("acme");
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void withCurrentContextAddsTheCurrentSpansContextOrNothing() {
        FerryTracing tracing = FerryTracing.create(otel);
        Task task = Task.of("t", new Job("a")).header("tenant", "acme");
        assertThat(tracing.withCurrentContext(task)).isEqualTo(task); // no current span: nothing to carry

        io.opentelemetry.api.trace.Span span = otel.getTracer("test").spanBuilder("request").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            assertThat(tracing.withCurrentContext(task).headers())
                    .containsEntry("traceparent", TracingContract.traceparent(span.getSpanContext()))
                    .containsEntry("tenant", "acme");
            assertThat(FerryTracing.create(io.opentelemetry.api.OpenTelemetry.noop()).withCurrentContext(task)).isEqualTo(task);
        } finally {
            span.end();
        }
        assertThatThrownBy(() -> tracing.withCurrentContext(null))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("task"));
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> FerryTracing.create(null))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("openTelemetry"));
        assertThatThrownBy(() -> FerryTracing.builder(otel).defaultQueue(" "))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("defaultQueue"));
        assertThatThrownBy(() -> FerryTracing.builder(otel).defaultQueue(null))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("defaultQueue"));
    }
}
