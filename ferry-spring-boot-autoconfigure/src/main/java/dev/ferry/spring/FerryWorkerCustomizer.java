package dev.ferry.spring;

import dev.ferry.WorkerBuilder;

/**
 * A bean that adjusts the application's worker before it starts: listeners, middleware, handlers
 * registered in code, per-type retry policies. Called after the {@code ferry.worker.*} properties
 * and the {@link TaskHandler} methods are applied, in {@link org.springframework.core.Ordered} order.
 */
@FunctionalInterface
public interface FerryWorkerCustomizer {

    /** Adjusts the builder; do not call {@code start()} or {@code build()} on it. */
    void customize(WorkerBuilder builder);
}
