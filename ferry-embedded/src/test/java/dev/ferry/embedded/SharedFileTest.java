package dev.ferry.embedded;

import static dev.ferry.embedded.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ferry.TaskState;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers on one file, as two worker processes on one host would have: each has its own
 * writer thread and connections, so only SQLite's file locks keep them apart.
 */
class SharedFileTest {
    private static final Duration LEASE = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private EmbeddedBroker open() {
        return EmbeddedBroker.builder(dir.resolve("shared.db")).pollInterval(Duration.ofMillis(50)).build();
    }

    @Test
    void twoBrokersClaimingConcurrentlyNeverHandOutOneTaskTwice() throws Exception {
        int tasks = 3000;
        try (EmbeddedBroker a = open(); EmbeddedBroker b = open();
             ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<NewTask> batch = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                batch.add(task("q"));
            }
            a.enqueue(new EnqueueRequest(batch));

            ConcurrentLinkedQueue<ClaimedTask> byA = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<ClaimedTask> byB = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> claimers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                EmbeddedBroker broker = i % 2 == 0 ? a : b;
                ConcurrentLinkedQueue<ClaimedTask> sink = i % 2 == 0 ? byA : byB;
                String worker = "w-" + i;
                int max = 1 + i * 3; // different batch sizes interleave differently
                claimers.add(pool.submit(() -> {
                    start.await();
                    List<ClaimedTask> got;
                    while (!(got = broker.claim(new ClaimRequest(worker, List.of("q"), max, LEASE)).tasks()).isEmpty()) {
                        sink.addAll(got);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : claimers) {
                f.get(120, TimeUnit.SECONDS);
            }

            List<String> ids = new ArrayList<>();
            byA.forEach(t -> ids.add(t.id()));
            byB.forEach(t -> ids.add(t.id()));
            assertThat(ids).hasSize(tasks).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(batch.stream().map(NewTask::id).toList());
            // Both took turns: a busy writer must not starve the other process (see BusyWait).
            assertThat(byA).as("both brokers took part").isNotEmpty();
            assertThat(byB).as("both brokers took part").isNotEmpty();

            // Every holder's lease is valid at its own broker, and the counts agree on both sides.
            assertThat(a.ack(acks(byA)).rejected()).isEmpty();
            assertThat(b.ack(acks(byB)).rejected()).isEmpty();
            for (EmbeddedBroker broker : List.of(a, b)) {
                assertThat(broker.stats(List.of("q")).get(0).count(TaskState.COMPLETED)).isEqualTo(tasks);
                assertThat(broker.stats(List.of("q")).get(0).count(TaskState.ACTIVE)).isZero();
                assertThat(broker.stats(List.of("q")).get(0).processedTotal()).isEqualTo(tasks);
            }
        }
    }

    private static AckRequest acks(ConcurrentLinkedQueue<ClaimedTask> claimed) {
        return new AckRequest(claimed.stream().map(t -> new Ack(t.lease(), new Outcome.Completed(null))).toList());
    }

    @Test
    void workEnqueuedByTheOtherBrokerIsFoundWithinThePollInterval() {
        try (EmbeddedBroker a = open(); EmbeddedBroker b = open()) {
            NewTask t = task("q");
            a.enqueue(new EnqueueRequest(List.of(t)));

            // No in-process signal crosses brokers: the poll interval cuts the waiter's wait short
            // (and says "look now"), however long the timeout it asked for.
            boolean woken = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> b.awaitWork(new AwaitRequest(List.of("q"), Duration.ofMinutes(10))));
            assertThat(woken).isTrue();
            assertThat(b.claim(new ClaimRequest("w", List.of("q"), 1, LEASE)).tasks())
                    .extracting(ClaimedTask::id).containsExactly(t.id());
        }
    }
}
