package dev.ferry.spring.autoconfigure;

import dev.ferry.TaskContext;
import dev.ferry.spring.TaskHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Handler beans the Spring Boot test applications share. */
final class Greetings {
    private Greetings() {
    }

    /** A payload record. */
    record Greet(String name) {
    }

    /** The result record. */
    record Greeting(String text, int attempt) {
    }

    /** {@code greet} returns a greeting; {@code greet.slow} waits until the test lets it finish. */
    static class Handlers {
        final List<String> greeted = new CopyOnWriteArrayList<>();
        final CountDownLatch slowStarted = new CountDownLatch(1);
        final CountDownLatch slowMayFinish = new CountDownLatch(1);

        @TaskHandler("greet")
        Greeting greet(Greet greet, TaskContext ctx) {
            greeted.add(greet.name());
            return new Greeting("hello " + greet.name(), ctx.attempt());
        }

        @TaskHandler("greet.slow")
        String slow(Greet greet) throws InterruptedException {
            slowStarted.countDown();
            // bounded: a test that never releases it must not hang the worker for ever
            if (!slowMayFinish.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            return "slow " + greet.name();
        }
    }
}
