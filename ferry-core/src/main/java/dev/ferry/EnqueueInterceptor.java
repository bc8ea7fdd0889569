package dev.ferry;

import java.util.List;

/**
 * Wraps every enqueue of a {@link Client}: sees the tasks before they are validated and stored,
 * may add headers (a trace context, a tenant) and observe the results — for tracing, auditing or
 * metrics. Registered with {@link Ferry.Builder#enqueueInterceptor}; the first registered is the
 * outermost. An interceptor must call {@code next} exactly once (or throw).
 */
@FunctionalInterface
public interface EnqueueInterceptor {

    /**
     * Intercepts one {@link Client#enqueue} or {@link Client#enqueueAll} call.
     *
     * @param tasks the tasks, in order (one for a single enqueue)
     * @param next  stores the (possibly changed) tasks and returns their results, in order
     * @return the results, in the order of {@code tasks}
     */
    List<EnqueueResult> intercept(List<Task> tasks, Next next);

    /** The rest of the chain: the next interceptor, or the broker. */
    @FunctionalInterface
    interface Next {
        /**
         * Continues with these tasks.
         *
         * @param tasks the tasks to store
         * @return their results
         */
        List<EnqueueResult> proceed(List<Task> tasks);
    }
}
