package dev.ferry.spring.autoconfigure;

import dev.ferry.EnqueueInterceptor;
import dev.ferry.EnqueueResult;
import dev.ferry.Task;
import dev.ferry.TaskContext;
import dev.ferry.TaskMiddleware;
import dev.ferry.opentelemetry.FerryTracing;
import io.opentelemetry.api.OpenTelemetry;
import java.util.List;

/**
 * The application's OpenTelemetry on Ferry ({@code ferry-opentelemetry}): a producer span per
 * enqueue whose context travels in the task's headers, and a consumer span per attempt. The
 * {@link OpenTelemetry} bean is looked up when this bean is made; without one both sides pass
 * through untouched.
 */
final class FerryTracingSupport implements EnqueueInterceptor, TaskMiddleware {
    private final EnqueueInterceptor interceptor;
    private final TaskMiddleware middleware;

    FerryTracingSupport(OpenTelemetry openTelemetry, String defaultQueue) {
        if (openTelemetry == null) {
            this.interceptor = null;
            this.middleware = null;
        } else {
            FerryTracing tracing = FerryTracing.builder(openTelemetry).defaultQueue(defaultQueue).build();
            this.interceptor = tracing.enqueueInterceptor();
            this.middleware = tracing.middleware();
        }
    }

    /** True when the application has an OpenTelemetry bean. */
    boolean active() {
        return interceptor != null;
    }

    @Override
    public List<EnqueueResult> intercept(List<Task> tasks, EnqueueInterceptor.Next next) {
        return interceptor == null ? next.proceed(tasks) : interceptor.intercept(tasks, next);
    }

    @Override
    public Object invoke(TaskContext context, Object payload, TaskMiddleware.Next next) throws Exception {
        return middleware == null ? next.proceed() : middleware.invoke(context, payload, next);
    }
}
