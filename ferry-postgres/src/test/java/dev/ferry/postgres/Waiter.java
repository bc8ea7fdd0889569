package dev.ferry.postgres;

import static org.awaitility.Awaitility.await;

import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.Broker;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A thread blocked in {@code awaitWork}, and what the call returned. {@link #start} returns once
 * the thread is inside the call, so whatever the test does next happens while it waits (a
 * notification sent before the wait began would not count as a wake-up for it).
 */
record Waiter(Thread thread, CompletableFuture<Boolean> result) {

    static Waiter start(Broker broker, String queue, Duration timeout) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().daemon().name("test-waiter-" + queue).start(() -> {
            try {
                result.complete(broker.awaitWork(new AwaitRequest(List.of(queue), timeout)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> result.isDone() || Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getMethodName().equals("awaitWork")));
        return new Waiter(thread, result);
    }
}
