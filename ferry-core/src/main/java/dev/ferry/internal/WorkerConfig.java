package dev.ferry.internal;

import dev.ferry.Handler;
import dev.ferry.Limit;
import dev.ferry.QueueSelection;
import dev.ferry.RetryPolicy;
import dev.ferry.TaskListener;
import dev.ferry.TaskMiddleware;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A worker's frozen settings, validated by {@link dev.ferry.WorkerBuilder}. */
public record WorkerConfig(
        String workerId,
        QueueSelection queues,
        int concurrency,
        int prefetch,
        Duration lease,
        Duration pollInterval,
        Duration shutdownGrace,
        RetryPolicy retryPolicy,
        int maxLeaseExpirations,
        boolean maintenance,
        Map<String, Registration<?>> handlers,
        List<TaskListener> listeners,
        List<TaskMiddleware> middleware,
        List<Limit> limits,
        List<Aggregation> aggregations) {

    /** One registered handler with its payload class and optional retry policy. */
    public record Registration<P>(String type, Class<P> payloadType, Handler<? super P> handler, RetryPolicy retryPolicy) {
    }
}
