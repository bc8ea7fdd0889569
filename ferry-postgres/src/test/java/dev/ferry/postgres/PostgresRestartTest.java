package dev.ferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.BrokerException;
import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.QueueStats;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * PostgreSQL restarted in immediate mode mid-run (every backend killed, the server recovers from
 * its WAL), twice (the second time staying down until the producer has failed several times),
 * while a producer enqueues and two workers (each with a broker of its own, as
 * two processes would have) run tasks. Afterwards every enqueue that was acknowledged completed,
 * nothing is left active or pending, and the workers got there by themselves: no restart of
 * theirs, no help from the test. The producer retries a failed enqueue with the same task id, so
 * an enqueue whose commit was lost with the server is still counted exactly once.
 */
@Isolated("stops and starts a PostgreSQL server: timing-sensitive")
class PostgresRestartTest {
    private static final String TYPE = "restart.work";
    private static final String QUEUE = "restart";

    /** The payload: a sequence number. */
    record Work(int seq) {
    }

    private OwnedPostgres pg;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Timeout(150)
    void everyAcknowledgedEnqueueCompletesAcrossImmediateRestartsAndWorkersReconnectByThemselves() throws Exception {
        pg = OwnedPostgres.start();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        List<Ferry> workerSides = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            PostgresBroker broker = PostgresBroker.builder().url(pg.url()).maxConnections(4)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            Ferry ferry = Ferry.builder().broker(broker).build();
            closeables.add(broker);
            closeables.add(ferry);
            workerSides.add(ferry);
            Worker worker = ferry.worker()
                    .queues(QUEUE)
                    .concurrency(4)
                    .lease(Duration.ofSeconds(3))
                    .pollInterval(Duration.ofMillis(200))
                    .shutdownGrace(Duration.ofSeconds(2))
                    .maxLeaseExpirations(100)
                    .handle(TYPE, Work.class, (work, ctx) -> {
                        runs.computeIfAbsent(ctx.id(), k -> new AtomicInteger()).incrementAndGet();
                        return null;
                    })
                    .build();
            worker.start();
        }
        PostgresBroker producerBroker = PostgresBroker.builder().url(pg.url()).maxConnections(2)
                .connectTimeout(Duration.ofSeconds(2)).build();
        Ferry producer = Ferry.builder().broker(producerBroker).build();
        closeables.add(producerBroker);
        closeables.add(producer);

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failedAttempts = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producerThread = Thread.ofPlatform().name("restart-producer").start(() -> {
            for (int seq = 0; producing.get(); seq++) {
                String id = "r-" + seq + "-" + UUID.randomUUID();
                Task task = Task.of(TYPE, new Work(seq)).queue(QUEUE).id(id).maxAttempts(50);
                while (true) {
                    try {
                        EnqueueResult r = producer.client().enqueue(task);
                        // DUPLICATE_ID: an earlier try committed, only its answer was lost.
                        acknowledged.add(r.id());
                        break;
                    } catch (BrokerException e) {
                        failedAttempts.incrementAndGet();
                        if (!e.isTransient()) {
                            throw e;
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // the producer's own backoff
                    }
                }
            }
        });

        for (int restart = 1; restart <= 2; restart++) {
            int before = acknowledged.size();
            await("restart " + restart + ": work flows", Duration.ofSeconds(30),
                    () -> acknowledged.size() >= before + 300 && runs.size() >= before + 100, producer);
            pg.stopImmediate();
            if (restart == 2) {
                // Stay down until the producer has failed a few times: the database "goes away"
                // for a while, and connections are refused rather than reset.
                int failedBefore = failedAttempts.get();
                Awaitility.await("the producer notices the outage").atMost(Duration.ofSeconds(30))
                        .until(() -> failedAttempts.get() >= failedBefore + 2);
            }
            pg.startServer();
        }
        int atLastRestart = acknowledged.size();
        await("enqueues succeed again after the last restart", Duration.ofSeconds(30),
                () -> acknowledged.size() >= atLastRestart + 300, producer);
        producing.set(false);
        producerThread.join(30_000);
        assertThat(producerThread.isAlive()).isFalse();

        await("every acknowledged enqueue completed", Duration.ofSeconds(60),
                () -> producer.inspector().queue(QUEUE).count(TaskState.COMPLETED) >= acknowledged.size(), producer);

        QueueStats stats = producer.inspector().queue(QUEUE);
        assertThat(stats.count(TaskState.ACTIVE)).as("left active").isZero();
        assertThat(stats.count(TaskState.PENDING)).as("left pending").isZero();
        assertThat(stats.count(TaskState.RETRYING)).as("left retrying").isZero();
        assertThat(stats.count(TaskState.DEAD)).as("dead").isZero();
        assertThat(stats.count(TaskState.COMPLETED)).isEqualTo(acknowledged.size());
        List<String> missing = new ArrayList<>();
        for (String id : acknowledged) {
            TaskInfo t = producer.inspector().task(id).orElse(null);
            if (t == null || t.state() != TaskState.COMPLETED || !runs.containsKey(id)) {
                missing.add(id + " " + (t == null ? "not stored" : t.state()) + " runs=" + runs.get(id));
            }
        }
        assertThat(missing).as("acknowledged but not completed by a handler").isEmpty();
        assertThat(failedAttempts.get()).as("the restarts were felt by the producer").isPositive();
        for (Ferry f : workerSides) {
            PostgresBroker b = (PostgresBroker) f.broker();
            Awaitility.await("listener of " + b + " reconnected").atMost(Duration.ofSeconds(20)).until(b::isListening);
        }
        System.out.printf("PostgresRestartTest: %d acknowledged enqueues, %d failed enqueue attempts, %d tasks ran"
                + " more than once%n", acknowledged.size(), failedAttempts.get(),
                runs.values().stream().filter(n -> n.get() > 1).count());
    }

    private void await(String what, Duration atMost, java.util.concurrent.Callable<Boolean> condition, Ferry ferry) {
        try {
            Awaitility.await(what).atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(condition);
        } catch (ConditionTimeoutException e) {
            String stats;
            try {
                stats = ferry.inspector().queue(QUEUE).toString();
            } catch (RuntimeException unavailable) {
                stats = "(stats unavailable: " + unavailable.getMessage() + ")";
            }
            throw new AssertionError("timed out waiting for: " + what + "\n" + stats + "\nserver log:\n" + pg.logTail(), e);
        }
    }
}
