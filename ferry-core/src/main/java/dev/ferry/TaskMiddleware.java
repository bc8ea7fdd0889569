package dev.ferry;

/**
 * Wraps every handler call of a worker (logging, metrics, tracing, MDC...). Call
 * {@code next.proceed()} to run the rest of the chain and the handler; return its result or
 * throw to change the outcome.
 */
@FunctionalInterface
public interface TaskMiddleware {

    Object invoke(TaskContext context, Object payload, Next next) throws Exception;

    /** The rest of the chain. */
    @FunctionalInterface
    interface Next {
        Object proceed() throws Exception;
    }
}
