package dev.ferry.cli;

import dev.ferry.RawJson;
import dev.ferry.TaskOutcome;
import dev.ferry.WorkerBuilder;
import java.util.Map;

/**
 * The handlers {@code ferry worker} knows, for trying Ferry out without writing Java:
 * <ul>
 *   <li>{@code demo.echo}: returns its payload as the result;</li>
 *   <li>{@code demo.sleep} {@code {"ms":N}}: sleeps N ms (interruptible: a timeout, cancel or
 *       shutdown stops it);</li>
 *   <li>{@code demo.fail} {@code {"times":N}}: fails the first N attempts, then succeeds;
 *       {@code -1} fails every attempt, so the task ends in the dead set.</li>
 * </ul>
 */
final class BuiltinHandlers {
    static final String ECHO = "demo.echo";
    static final String SLEEP = "demo.sleep";
    static final String FAIL = "demo.fail";

    /** {@code demo.sleep}'s payload. */
    record Sleep(long ms) {
    }

    /** {@code demo.fail}'s payload. */
    record Fail(int times) {
    }

    /** The failure {@code demo.fail} throws: an ordinary, retryable exception. */
    static final class DemoFailure extends RuntimeException {
        DemoFailure(String message) {
            super(message);
        }
    }

    private BuiltinHandlers() {
    }

    static WorkerBuilder register(WorkerBuilder worker) {
        return worker
                .handle(ECHO, RawJson.class, (payload, ctx) -> payload)
                .handle(SLEEP, Sleep.class, (p, ctx) -> {
                    if (p.ms() < 0) {
                        throw TaskOutcome.fail("ms must not be negative, was " + p.ms());
                    }
                    Thread.sleep(p.ms());
                    return Map.of("sleptMs", p.ms());
                })
                .handle(FAIL, Fail.class, (p, ctx) -> {
                    if (p.times() < -1) {
                        throw TaskOutcome.fail("times must be -1 (always fail) or more, was " + p.times());
                    }
                    if (p.times() == -1 || ctx.attempt() <= p.times()) {
                        throw new DemoFailure("demo.fail: attempt " + ctx.attempt() + " fails as asked ("
                                + (p.times() == -1 ? "always" : "the first " + p.times()) + ")");
                    }
                    return Map.of("succeededOnAttempt", ctx.attempt());
                });
    }
}
