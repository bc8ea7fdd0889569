package dev.ferry.internal;

import dev.ferry.BrokerException;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AckResponse;
import dev.ferry.spi.Broker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Sends attempt outcomes to the broker in batches. Handlers hand their ack over and return at
 * once; one thread takes everything that piled up while the previous call was in flight and
 * sends it in one {@link Broker#ack} call. Under load batches grow by themselves; when idle an
 * ack goes out alone without waiting. A broker outage is retried with backoff: the acks are
 * fenced, so one that arrives after its lease expired is rejected instead of doing harm.
 */
final class AckBatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ferry.worker");
    private static final int MAX_BATCH = 1000;

    private final Broker broker;
    private final LinkedBlockingQueue<Ack> queue = new LinkedBlockingQueue<>();
    /** Called after each batch with the acks sent and the ids the fence rejected. */
    private final BiConsumer<List<Ack>, java.util.Set<String>> applied;
    private final Thread thread;
    private volatile boolean closing;

    AckBatcher(Broker broker, String workerId, BiConsumer<List<Ack>, java.util.Set<String>> applied) {
        this.broker = broker;
        this.applied = applied;
        this.thread = Thread.ofPlatform().daemon().name("ferry-acks-" + workerId).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    void submit(Ack ack) {
        queue.add(ack);
    }

    private void loop() {
        List<Ack> batch = new ArrayList<>();
        Backoff backoff = new Backoff();
        while (true) {
            try {
                if (batch.isEmpty()) {
                    Ack first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (closing) {
                            return;
                        }
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                }
                AckResponse response = broker.ack(new AckRequest(batch));
                applied.accept(batch, response.rejected());
                batch = new ArrayList<>();
                backoff.reset();
            } catch (InterruptedException e) {
                if (closing && batch.isEmpty() && queue.isEmpty()) {
                    return;
                }
            } catch (BrokerException e) {
                if (closing && backoff.attempts() > 20) {
                    LOG.log(System.Logger.Level.WARNING, "giving up on " + batch.size()
                            + " acks at shutdown; their leases will expire and the tasks will run again: " + e.getMessage());
                    applied.accept(batch, java.util.Set.of());
                    batch = new ArrayList<>();
                    continue;
                }
                LOG.log(System.Logger.Level.WARNING, "ack failed, retrying: " + e.getMessage());
                backoff.pause();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "unexpected ack failure; dropping " + batch.size()
                        + " acks (their leases will expire and the tasks run again)", e);
                applied.accept(batch, java.util.Set.of());
                batch = new ArrayList<>();
            }
        }
    }

    /** Sends what is queued, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
