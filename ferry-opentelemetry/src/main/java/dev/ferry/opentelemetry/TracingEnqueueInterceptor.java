package dev.ferry.opentelemetry;

import dev.ferry.EnqueueInterceptor;
import dev.ferry.EnqueueResult;
import dev.ferry.Task;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One PRODUCER span per enqueue call, whose context becomes each task's creation context.
 *
 * <p>The messaging conventions suggest a "create" span per message for batch sends; Ferry stores a
 * batch in one atomic call, so the one "send" span stands for every task in it and each task
 * carries its context. A task that arrives with a trace context of its own (usually headers copied
 * from {@code TaskContext.headers()} into a follow-up task) has it replaced, so the new task's
 * consumer lands under this send, and the old context is kept as a link on the send span.
 */
final class TracingEnqueueInterceptor implements EnqueueInterceptor {
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final String defaultQueue;

    TracingEnqueueInterceptor(Tracer tracer, TextMapPropagator propagator, String defaultQueue) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.defaultQueue = defaultQueue;
    }

    @Override
    @SuppressWarnings("try") // the scope is held for its side effect: the span is current
    public List<EnqueueResult> intercept(List<Task> tasks, Next next) {
        String queue = common(tasks, true);
        String type = common(tasks, false);
        SpanBuilder builder = tracer.spanBuilder(queue == null ? Semconv.SEND : Semconv.SEND + " " + queue)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(Semconv.MESSAGING_SYSTEM, Semconv.SYSTEM)
                .setAttribute(Semconv.OPERATION_TYPE, Semconv.SEND)
                .setAttribute(Semconv.OPERATION_NAME, Semconv.SEND);
        if (queue != null) {
            builder.setAttribute(Semconv.DESTINATION, queue);
        }
        if (type != null) {
            builder.setAttribute(Semconv.TASK_TYPE, type);
        }
        if (tasks.size() > 1) {
            builder.setAttribute(Semconv.BATCH_COUNT, (long) tasks.size());
        }
        for (Task task : tasks) {
            if (task != null && !task.headers().isEmpty()) {
                SpanContext carried = Span.fromContext(propagator.extract(Context.root(), task.headers(), Semconv.GETTER)).getSpanContext();
                if (carried.isValid()) {
                    builder.addLink(carried);
                }
            }
        }
        Span span = builder.startSpan();
        try (Scope ignored = span.makeCurrent()) {
            List<EnqueueResult> results = next.proceed(withContext(tasks, Context.current()));
            describe(span, results);
            return results;
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            span.setAttribute(Semconv.ERROR_TYPE, e.getClass().getName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** The tasks with the context's fields in their headers; the same list when there are none (no-op propagator). */
    private List<Task> withContext(List<Task> tasks, Context context) {
        Map<String, String> fields = new LinkedHashMap<>(4);
        propagator.inject(context, fields, Semconv.SETTER);
        if (fields.isEmpty()) {
            return tasks;
        }
        List<Task> out = new ArrayList<>(tasks.size());
        for (Task task : tasks) {
            Task t = task;
            if (t != null) {
                for (Map.Entry<String, String> f : fields.entrySet()) {
                    t = t.header(f.getKey(), f.getValue());
                }
            }
            out.add(t); // a null stays null: the client refuses it, naming its index
        }
        return out;
    }

    private static void describe(Span span, List<EnqueueResult> results) {
        if (results == null) {
            return;
        }
        if (results.size() == 1 && results.get(0) != null) {
            EnqueueResult r = results.get(0);
            span.setAttribute(Semconv.MESSAGE_ID, r.id());
            span.setAttribute(Semconv.ENQUEUE_STATUS, r.status().name().toLowerCase(Locale.ROOT));
            return;
        }
        long duplicates = results.stream().filter(r -> r != null && r.duplicate()).count();
        if (duplicates > 0) {
            span.setAttribute(Semconv.DUPLICATES, duplicates);
        }
    }

    /** The queue (or type) shared by all tasks, or null when they differ or there are none. */
    private String common(List<Task> tasks, boolean queue) {
        String found = null;
        for (Task t : tasks) {
            if (t == null) {
                continue;
            }
            String value = queue ? (t.queue() != null ? t.queue() : defaultQueue) : t.type();
            if (value == null) {
                return null;
            }
            if (found == null) {
                found = value;
            } else if (!Objects.equals(found, value)) {
                return null;
            }
        }
        return found;
    }
}
