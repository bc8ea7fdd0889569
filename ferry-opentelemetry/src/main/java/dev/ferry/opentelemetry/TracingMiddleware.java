package dev.ferry.opentelemetry;

import dev.ferry.TaskContext;
import dev.ferry.TaskMiddleware;
import dev.ferry.TaskOutcome;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * One CONSUMER span per attempt, around the rest of the middleware chain and the handler.
 *
 * <p>The creation context comes from the task's headers. By default it is the span's parent, so
 * a task reads as one trace from the request that enqueued it to the handler's own spans; the
 * messaging conventions allow this for single-message processing, which is what a Ferry handler
 * does. The span also links to the creation context (the conventions' portable correlation), and
 * to a span that was current in the worker thread before, so neither relation is lost.
 */
final class TracingMiddleware implements TaskMiddleware {
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean producerAsParent;

    TracingMiddleware(Tracer tracer, TextMapPropagator propagator, boolean producerAsParent) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.producerAsParent = producerAsParent;
    }

    @Override
    @SuppressWarnings("try") // the scope is held for its side effect: the span is current
    public Object invoke(TaskContext task, Object payload, Next next) throws Exception {
        Context ambient = Context.current();
        // Extracted on top of the ambient context: the headers' span and baggage replace the
        // ambient ones; without a valid trace context in the headers the ambient span stays.
        Context extracted = propagator.extract(ambient, task.headers(), Semconv.GETTER);
        SpanContext creation = Span.fromContext(extracted).getSpanContext();
        SpanContext ambientSpan = Span.fromContext(ambient).getSpanContext();
        boolean fromHeaders = creation.isValid() && !creation.equals(ambientSpan);

        Context parent = producerAsParent || !fromHeaders ? extracted : extracted.with(Span.fromContext(ambient));
        SpanBuilder builder = tracer.spanBuilder(Semconv.PROCESS + " " + task.queue())
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(Semconv.MESSAGING_SYSTEM, Semconv.SYSTEM)
                .setAttribute(Semconv.OPERATION_TYPE, Semconv.PROCESS)
                .setAttribute(Semconv.OPERATION_NAME, Semconv.PROCESS)
                .setAttribute(Semconv.DESTINATION, task.queue())
                .setAttribute(Semconv.MESSAGE_ID, task.id())
                .setAttribute(Semconv.TASK_TYPE, task.type())
                .setAttribute(Semconv.ATTEMPT, (long) task.attempt())
                .setAttribute(Semconv.MAX_ATTEMPTS, (long) task.maxAttempts());
        if (fromHeaders) {
            builder.addLink(creation);
            if (producerAsParent && ambientSpan.isValid()) {
                builder.addLink(ambientSpan);
            }
        }
        Span span = builder.startSpan();
        try (Scope ignored = parent.with(span).makeCurrent()) {
            Object result = next.proceed();
            span.setAttribute(Semconv.OUTCOME, "completed");
            return result;
        } catch (TaskOutcome.Snooze snooze) {
            // Not a failure: the task runs again later and this attempt is not counted.
            span.setAttribute(Semconv.OUTCOME, "snoozed");
            throw snooze;
        } catch (Throwable error) {
            span.recordException(error);
            span.setStatus(StatusCode.ERROR, error.getMessage() != null ? error.getMessage() : error.getClass().getName());
            span.setAttribute(Semconv.ERROR_TYPE, error.getClass().getName());
            span.setAttribute(Semconv.OUTCOME, error instanceof TaskOutcome.Fail ? "failed" : "error");
            throw error;
        } finally {
            span.end();
        }
    }
}
