package dev.ferry.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Client;
import dev.ferry.Inspector;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spring.autoconfigure.Greetings.Greet;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** With an {@link OpenTelemetry} bean, the trace context travels from the enqueue to the handler. */
class TracingTest {
    @TempDir
    Path dir;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();

    private OpenTelemetry openTelemetry() {
        return OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FerryAutoConfiguration.class))
                .withPropertyValues("ferry.broker.url=sqlite:" + dir.resolve("ferry.db"))
                .withBean(Greetings.Handlers.class);
    }

    @Test
    void producerAndConsumerSpansShareATrace() {
        runner().withBean(OpenTelemetry.class, this::openTelemetry).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(FerryTracingSupport.class).active()).isTrue();
            String id = ctx.getBean(Client.class).enqueue(Task.of("greet", new Greet("traced"))).id();
            Inspector inspector = ctx.getBean(Inspector.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> inspector.task(id).map(TaskInfo::state).orElse(null) == TaskState.COMPLETED);
            await().atMost(Duration.ofSeconds(30)).until(() -> spans.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getKind() == SpanKind.CONSUMER));
            List<SpanData> finished = spans.getFinishedSpanItems();
            SpanData producer = finished.stream().filter(s -> s.getKind() == SpanKind.PRODUCER).findFirst().orElseThrow();
            SpanData consumer = finished.stream().filter(s -> s.getKind() == SpanKind.CONSUMER).findFirst().orElseThrow();
            assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId());
            assertThat(inspector.task(id).orElseThrow().headers()).containsKey("traceparent");
        });
    }

    @Test
    void withoutAnOpenTelemetryBeanOrWhenTurnedOffNothingIsTraced() {
        runner().run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(FerryTracingSupport.class).active()).isFalse();
            String id = ctx.getBean(Client.class).enqueue(Task.of("greet", new Greet("plain"))).id();
            assertThat(ctx.getBean(Inspector.class).task(id).orElseThrow().headers()).doesNotContainKey("traceparent");
        });
        runner().withBean(OpenTelemetry.class, this::openTelemetry).withPropertyValues("ferry.tracing.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(FerryTracingSupport.class));
    }
}
