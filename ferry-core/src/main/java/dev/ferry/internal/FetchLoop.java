package dev.ferry.internal;

import dev.ferry.BrokerException;
import dev.ferry.QueueSelection;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The worker's one claiming thread.
 *
 * <p>It holds a semaphore of {@code concurrency + prefetch} permits, one per task the worker may
 * hold. Each round it waits for at least one free permit, takes all free ones, and claims that
 * many tasks in ONE broker call (so a worker that frees 50 slots at once pays one round trip, not
 * 50). Unused permits go back. When a claim comes back empty it blocks in
 * {@link Broker#awaitWork}, which returns at once on a push (an in-process enqueue, a Redis
 * blocking pop, a PostgreSQL NOTIFY) and otherwise after the poll interval. A failing broker is
 * retried with backoff; the loop never dies while the worker runs.
 */
final class FetchLoop {
    private static final System.Logger LOG = System.getLogger("dev.ferry.worker");

    private final Broker broker;
    private final String workerId;
    private final QueueSelection queues;
    private final Duration lease;
    private final Duration pollInterval;
    private final Semaphore capacity;
    private final Consumer<ClaimedTask> dispatch;
    private final FlowControl flow;
    private final Thread thread;
    private volatile boolean running = true;

    FetchLoop(Broker broker, WorkerConfig config, Semaphore capacity, Consumer<ClaimedTask> dispatch, FlowControl flow) {
        this.flow = flow;
        this.broker = broker;
        this.workerId = config.workerId();
        this.queues = config.queues();
        this.lease = config.lease();
        this.pollInterval = config.pollInterval();
        this.capacity = capacity;
        this.dispatch = dispatch;
        this.thread = Thread.ofPlatform().daemon().name("ferry-fetch-" + workerId).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        Backoff backoff = new Backoff();
        long lastFailureLog = 0;
        while (running) {
            int permits = 0;
            try {
                capacity.acquire();
                permits = 1 + capacity.drainPermits();
                if (!running) {
                    break;
                }
                List<String> order = flow.claimable(queues.claimOrder());
                if (order.isEmpty()) {
                    // every queue waits for its rate limit's next token: claiming would only churn
                    capacity.release(permits);
                    permits = 0;
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.min(flow.nanosUntilOpen(), pollInterval.toNanos()));
                    continue;
                }
                List<ClaimedTask> claimed = broker.claim(new ClaimRequest(workerId, order, permits, lease)).tasks();
                backoff.reset();
                capacity.release(permits - claimed.size());
                permits = 0;
                for (ClaimedTask task : claimed) {
                    dispatch.accept(task);
                }
                if (claimed.isEmpty()) {
                    broker.awaitWork(new AwaitRequest(queues.queues(), pollInterval));
                }
            } catch (InterruptedException e) {
                // shutdown interrupts us out of acquire() or awaitWork(); the loop condition decides
            } catch (BrokerException e) {
                long now = System.nanoTime();
                if (now - lastFailureLog > 10_000_000_000L) {
                    lastFailureLog = now;
                    LOG.log(System.Logger.Level.WARNING, "claim failed, backing off: " + e.getMessage());
                }
                backoff.pause();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "unexpected claim failure, backing off", e);
                backoff.pause();
            } finally {
                if (permits > 0) {
                    capacity.release(permits);
                }
            }
        }
    }

    /** Stops claiming and waits for the thread to end. */
    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
