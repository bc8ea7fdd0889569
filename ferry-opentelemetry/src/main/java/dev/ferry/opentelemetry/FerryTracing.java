package dev.ferry.opentelemetry;

import dev.ferry.EnqueueInterceptor;
import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import dev.ferry.TaskDefaults;
import dev.ferry.TaskMiddleware;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenTelemetry tracing for Ferry: carries the trace context inside each task from the code that
 * enqueues it to the worker that runs it.
 *
 * <ul>
 * <li>{@link #enqueueInterceptor()} — register with
 *     {@link dev.ferry.Ferry.Builder#enqueueInterceptor}. Every {@code enqueue} or
 *     {@code enqueueAll} call gets one {@code PRODUCER} span named {@code send <queue>}, a child of
 *     the caller's current span, and that span's context is written into each task's headers by
 *     the configured {@link TextMapPropagator} (W3C {@code traceparent} / {@code tracestate} by
 *     default).</li>
 * <li>{@link #middleware()} — register with {@link dev.ferry.WorkerBuilder#middleware}. Every
 *     attempt gets one {@code CONSUMER} span named {@code process <queue>}, whose parent is the
 *     producer span found in the task's headers (and which links to it as well); it is the
 *     current span while the handler runs, so the handler's own spans nest under it. An exception
 *     from the handler is recorded and sets the status to {@code ERROR}.</li>
 * </ul>
 *
 * Nothing is traced unless you register these two; with {@link OpenTelemetry#noop()} they add no
 * headers and cost a few no-op calls per task. Instances are immutable and thread-safe; one
 * instance serves any number of clients and workers.
 *
 * <pre>{@code
 * FerryTracing tracing = FerryTracing.create(openTelemetry);
 * Ferry ferry = Ferry.builder().brokerUrl("sqlite:./ferry.db")
 *         .enqueueInterceptor(tracing.enqueueInterceptor())
 *         .build();
 * ferry.worker().middleware(tracing.middleware()).handle(...).start();
 * }</pre>
 */
public final class FerryTracing {
    /** The instrumentation scope name of every span this module starts. */
    public static final String INSTRUMENTATION_NAME = "dev.ferry.opentelemetry";

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final String defaultQueue;
    private final boolean producerAsParent;

    private FerryTracing(Builder b) {
        this.tracer = b.openTelemetry.getTracer(INSTRUMENTATION_NAME);
        this.propagator = b.openTelemetry.getPropagators().getTextMapPropagator();
        this.defaultQueue = b.defaultQueue;
        this.producerAsParent = b.producerAsParent;
    }

    /**
     * Tracing with the standard settings: tasks without a queue go to {@code default}, and the
     * consumer span is a child of the producer span.
     *
     * @param openTelemetry the SDK (or {@code GlobalOpenTelemetry.get()}, or {@link OpenTelemetry#noop()})
     * @throws InvalidInputException if {@code openTelemetry} is null
     */
    public static FerryTracing create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /**
     * A builder for non-standard settings.
     *
     * @param openTelemetry the SDK (or {@code GlobalOpenTelemetry.get()}, or {@link OpenTelemetry#noop()})
     * @throws InvalidInputException if {@code openTelemetry} is null
     */
    public static Builder builder(OpenTelemetry openTelemetry) {
        if (openTelemetry == null) {
            throw new InvalidInputException("openTelemetry", "must not be null (use OpenTelemetry.noop() to trace nothing)");
        }
        return new Builder(openTelemetry);
    }

    /**
     * The interceptor that starts a {@code PRODUCER} span around each enqueue call and stores its
     * context in the tasks' headers. Register it with {@link dev.ferry.Ferry.Builder#enqueueInterceptor}.
     */
    public EnqueueInterceptor enqueueInterceptor() {
        return new TracingEnqueueInterceptor(tracer, propagator, defaultQueue);
    }

    /**
     * The middleware that starts a {@code CONSUMER} span around each handler call, continuing the
     * trace stored in the task's headers. Register it with {@link dev.ferry.WorkerBuilder#middleware},
     * first if other middleware should run inside the span.
     */
    public TaskMiddleware middleware() {
        return new TracingMiddleware(tracer, propagator, producerAsParent);
    }

    /**
     * The task with the current trace context in its headers, for tasks stored without going
     * through a traced client's {@code enqueue}: workflow steps ({@code ferry.workflows().start})
     * and PostgreSQL transactional enqueue ({@code TransactionalEnqueue.client}). No producer span is
     * started; the consumer span's parent is the span current here. Returns the task unchanged when
     * the propagator writes nothing (no current span, or {@link OpenTelemetry#noop()}).
     *
     * @throws InvalidInputException if {@code task} is null
     */
    public Task withCurrentContext(Task task) {
        if (task == null) {
            throw new InvalidInputException("task", "must not be null");
        }
        Map<String, String> fields = new LinkedHashMap<>(4);
        propagator.inject(Context.current(), fields, Semconv.SETTER);
        Task out = task;
        for (Map.Entry<String, String> f : fields.entrySet()) {
            out = out.header(f.getKey(), f.getValue());
        }
        return out;
    }

    /** Settings for {@link FerryTracing}; validated as they are set. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private String defaultQueue = TaskDefaults.standard().queue();
        private boolean producerAsParent = true;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
        }

        /**
         * The queue that tasks without one go to, as set in the Ferry's
         * {@link dev.ferry.TaskDefaults#queue()}; only used to name producer spans, because the
         * interceptor sees tasks before the client fills in defaults. {@code default} unless set.
         *
         * @throws InvalidInputException if {@code queue} is null or blank
         */
        public Builder defaultQueue(String queue) {
            if (queue == null || queue.isBlank()) {
                throw new InvalidInputException("defaultQueue", "must not be blank, was "
                        + (queue == null ? "null" : "'" + queue + "'"));
            }
            this.defaultQueue = queue;
            return this;
        }

        /**
         * Whether the consumer span is a child of the producer span (true, the default: one trace
         * from the request that enqueued to the handler's own spans) or the child of whatever span
         * is current in the worker, or a new trace, with only a link to the producer span (false:
         * the OpenTelemetry messaging conventions' default, for producers whose traces should stay
         * short). The consumer span links to the producer span either way.
         */
        public Builder producerAsParent(boolean producerAsParent) {
            this.producerAsParent = producerAsParent;
            return this;
        }

        /** The tracing with these settings. */
        public FerryTracing build() {
            return new FerryTracing(this);
        }
    }
}
