package dev.ferry.internal;

import dev.ferry.DeadReason;
import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.TaskContext;
import dev.ferry.TaskError;
import dev.ferry.TaskEvent;
import dev.ferry.TaskMiddleware;
import dev.ferry.TaskOutcome;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.Outcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Runs one claimed task and turns whatever happened into exactly one {@link Outcome}: decodes
 * the payload into the handler's class, runs the middleware chain and the handler, maps
 * returns and throws onto the closed set of outcomes, and applies the retry policy. An unknown
 * type or a payload that does not bind is dead at once as {@link DeadReason#UNPROCESSABLE}: it
 * can never succeed, so retrying it would only block the queue.
 */
final class TaskRunner {
    private final Broker broker;
    private final JsonCodec codec;
    private final WorkerConfig config;
    private final Events events;

    TaskRunner(Broker broker, JsonCodec codec, WorkerConfig config, Events events) {
        this.broker = broker;
        this.codec = codec;
        this.config = config;
        this.events = events;
    }

    /** Runs the task on the current thread; returns the outcome to ack, never throws. */
    Outcome run(RunningTask rt) {
        ClaimedTask task = rt.task;
        WorkerConfig.Registration<?> registration = config.handlers().get(task.type());
        if (registration == null) {
            return dead(DeadReason.UNPROCESSABLE, task, "UnknownTaskType",
                    "no handler registered for task type '" + task.type() + "' on worker " + config.workerId());
        }
        Object payload;
        try {
            payload = codec.decode(task.payloadJson(), registration.payloadType());
        } catch (InvalidInputException | IllegalArgumentException e) {
            return dead(DeadReason.UNPROCESSABLE, task, "UndecodablePayload", e.getMessage());
        }
        Instant deadline = Instant.now().plus(task.timeout());
        TaskContext ctx = new DefaultTaskContext(rt, broker, codec, deadline);
        events.emit(TaskEvent.Kind.STARTED, task, Duration.ZERO, null);
        rt.startNanos = System.nanoTime();
        try {
            Object result = invoke(registration, payload, ctx, 0);
            Duration took = since(rt);
            events.emit(TaskEvent.Kind.SUCCEEDED, task, took, null);
            return new Outcome.Completed(result == null ? null : codec.encode(result));
        } catch (Throwable error) {
            return failure(rt, registration, error, since(rt));
        } finally {
            Thread.interrupted(); // a late timeout or cancel interrupt must not leak into the next use of this thread
        }
    }

    @SuppressWarnings("unchecked")
    private Object invoke(WorkerConfig.Registration<?> registration, Object payload, TaskContext ctx, int index) throws Exception {
        List<TaskMiddleware> chain = config.middleware();
        if (index < chain.size()) {
            return chain.get(index).invoke(ctx, payload, () -> invoke(registration, payload, ctx, index + 1));
        }
        return ((dev.ferry.Handler<Object>) registration.handler()).handle(payload, ctx);
    }

    private Outcome failure(RunningTask rt, WorkerConfig.Registration<?> registration, Throwable error, Duration took) {
        ClaimedTask task = rt.task;
        if (rt.cancelRequested) {
            events.emit(TaskEvent.Kind.CANCELLED, task, took, error);
            return new Outcome.Cancelled();
        }
        if (error instanceof TaskOutcome.Snooze snooze) {
            events.emit(TaskEvent.Kind.SNOOZED, task, took, null);
            return new Outcome.Snooze(snooze.delay());
        }
        if (rt.timedOut) {
            events.emit(TaskEvent.Kind.TIMED_OUT, task, took, error);
            error = new TaskTimeoutException("timed out after " + task.timeout() + " (attempt " + task.attempt() + ")", error);
        }
        TaskError taskError = toError(task.attempt(), error);
        boolean attemptsLeft = task.attempt() < task.maxAttempts();
        if (error instanceof TaskOutcome.Fail) {
            events.emit(TaskEvent.Kind.DEAD, task, took, error);
            return new Outcome.Dead(DeadReason.FAILED, taskError);
        }
        if (error instanceof TaskOutcome.RetryAfter retryAfter) {
            return retryOrDead(task, took, error, taskError, attemptsLeft, retryAfter.delay());
        }
        RetryPolicy policy = policyFor(task, registration);
        if (!policy.isRetryable(error)) {
            events.emit(TaskEvent.Kind.DEAD, task, took, error);
            return new Outcome.Dead(DeadReason.FAILED, taskError);
        }
        Duration delay = attemptsLeft ? policy.delay(task.attempt(), error) : Duration.ZERO;
        return retryOrDead(task, took, error, taskError, attemptsLeft, delay);
    }

    private Outcome retryOrDead(ClaimedTask task, Duration took, Throwable error, TaskError taskError, boolean attemptsLeft, Duration delay) {
        if (!attemptsLeft) {
            events.emit(TaskEvent.Kind.DEAD, task, took, error);
            return new Outcome.Dead(DeadReason.FAILED, taskError);
        }
        events.emit(TaskEvent.Kind.RETRYING, task, took, error);
        return new Outcome.Retry(delay.isNegative() ? Duration.ZERO : delay, taskError);
    }

    /** Per task (header) beats per type beats the worker's default. */
    private RetryPolicy policyFor(ClaimedTask task, WorkerConfig.Registration<?> registration) {
        String perTask = task.headers().get(Task.RETRY_HEADER);
        if (perTask != null) {
            try {
                return RetryPolicy.Exponential.fromText(perTask);
            } catch (InvalidInputException e) {
                // a malformed header falls back to the type's policy rather than losing the task
            }
        }
        return registration.retryPolicy() != null ? registration.retryPolicy() : config.retryPolicy();
    }

    private Outcome dead(DeadReason reason, ClaimedTask task, String errorType, String message) {
        TaskError error = new TaskError(task.attempt(), errorType, message, "", Instant.now());
        events.emit(TaskEvent.Kind.DEAD, task, Duration.ZERO, new IllegalStateException(message));
        return new Outcome.Dead(reason, error);
    }

    static TaskError toError(int attempt, Throwable error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        return new TaskError(attempt, error.getClass().getName(), String.valueOf(error.getMessage()), trace.toString(), Instant.now());
    }

    private static Duration since(RunningTask rt) {
        return Duration.ofNanos(System.nanoTime() - rt.startNanos);
    }

    /** Recorded as the error of an attempt that ran past its timeout. */
    static final class TaskTimeoutException extends RuntimeException {
        TaskTimeoutException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
