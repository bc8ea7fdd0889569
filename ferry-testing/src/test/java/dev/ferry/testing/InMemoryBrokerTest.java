package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.BrokerException;
import dev.ferry.InvalidInputException;
import dev.ferry.TaskState;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.BrokerCapabilities;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.PromoteRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the in-memory broker does beyond the shared contract. */
class InMemoryBrokerTest {

    private final ManualClock clock = new ManualClock();
    private final InMemoryBroker broker = new InMemoryBroker(clock);

    @AfterEach
    void close() {
        broker.close();
    }

    @Test
    void declaresItsCapabilities() {
        assertThat(broker.capabilities())
                .isEqualTo(new BrokerCapabilities("in-memory", true, false, false, false));
    }

    @Test
    void operationsAfterCloseFailAsNonTransientButAwaitReturnsFalse() throws Exception {
        broker.close();
        broker.close();

        assertThatThrownBy(() -> broker.get("x"))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.isTransient()).isFalse());
        assertThatThrownBy(() -> broker.enqueue(new EnqueueRequest(List.of(task("a", Duration.ZERO)))))
                .isInstanceOf(BrokerException.class);
        assertThat(broker.awaitWork(new AwaitRequest(List.of("q"), Duration.ofMinutes(1)))).isFalse();
        assertThat(broker.capabilities().name()).isEqualTo("in-memory");
    }

    @Test
    void aBatchWithAnInvalidTaskIsRefusedWhole() {
        NewTask good = task("good", Duration.ZERO);
        NewTask bad = new NewTask("bad", "q", "t", null, 50, Duration.ZERO, null, 3,
                Duration.ofSeconds(30), null, null, Duration.ofHours(1), Duration.ofDays(7), Map.of());

        assertThatThrownBy(() -> broker.enqueue(new EnqueueRequest(List.of(good, bad))))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("payload"));
        assertThat(broker.get("good")).isEmpty();
    }

    @Test
    void aWakeUpForAnotherQueueDoesNotEndTheWait() {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(broker.awaitWork(new AwaitRequest(List.of("mine"), Duration.ofMillis(500))));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);

        broker.enqueue(new EnqueueRequest(List.of(task("elsewhere", Duration.ZERO, "other"))));

        assertThat(result.join()).isFalse();
    }

    @Test
    void aDueTaskIsNotClaimedOnceTheClockIsSetBack() {
        Instant start = clock.instant();
        broker.enqueue(new EnqueueRequest(List.of(task("urgent", Duration.ZERO), task("later", Duration.ofSeconds(10)))));
        clock.advance(Duration.ofSeconds(10));
        // This claim sees "later" as due while taking the more urgent task.
        assertThat(claim()).extracting(ClaimedTask::id).containsExactly("urgent");

        clock.set(start.plusSeconds(5));
        assertThat(claim()).isEmpty();
        assertThat(broker.promote(new PromoteRequest(10)).promoted()).isZero();
        assertThat(broker.get("later").orElseThrow().state()).isEqualTo(TaskState.SCHEDULED);

        clock.set(start.plusSeconds(10));
        assertThat(claim()).extracting(ClaimedTask::id).containsExactly("later");
    }

    @Test
    void worksOnTheSystemClock() {
        try (InMemoryBroker system = new InMemoryBroker()) {
            Instant before = Instant.now();
            system.enqueue(new EnqueueRequest(List.of(task("now", Duration.ZERO))));

            ClaimedTask t = system.claim(new ClaimRequest("w", List.of("q"), 1, Duration.ofMinutes(1))).tasks().get(0);

            assertThat(t.enqueuedAt()).isAfterOrEqualTo(before);
            assertThat(t.leaseExpiresAt()).isAfter(before);
        }
    }

    private List<ClaimedTask> claim() {
        return broker.claim(new ClaimRequest("w", List.of("q"), 1, Duration.ofMinutes(1))).tasks();
    }

    private static NewTask task(String id, Duration delay) {
        return task(id, delay, "q");
    }

    private static NewTask task(String id, Duration delay, String queue) {
        int priority = delay.isZero() ? 0 : 50;
        return new NewTask(id, queue, "t", "{}", priority, delay, null, 3, Duration.ofSeconds(30), null, null,
                Duration.ofHours(1), Duration.ofDays(7), Map.of());
    }
}
