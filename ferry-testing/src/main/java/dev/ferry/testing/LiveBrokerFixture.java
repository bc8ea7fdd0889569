package dev.ferry.testing;

import dev.ferry.Ferry;
import dev.ferry.RetryPolicy;
import dev.ferry.Worker;
import dev.ferry.WorkerBuilder;
import dev.ferry.spi.Broker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the end-to-end contracts ({@link WorkerContract}, {@link FlowControlContract},
 * {@link WorkflowContract}) share: a fresh broker and a {@link Ferry} on it per test, workers with
 * quick test settings, and everything shut down afterwards, workers first.
 */
public abstract class LiveBrokerFixture {
    /** The broker under test, fresh per test. */
    protected Broker broker;
    /** A Ferry on it. */
    protected Ferry ferry;
    private final List<Worker> workers = new ArrayList<>();
    private final List<Ferry> extraFerries = new ArrayList<>();

    /**
     * Makes a fresh, empty broker on the real clock, isolated from every other test.
     *
     * @return the broker
     */
    protected abstract Broker newBroker();

    @BeforeEach
    final void openLiveBroker() {
        broker = newBroker();
        ferry = Ferry.builder().broker(broker).build();
    }

    @AfterEach
    final void closeLiveBroker() {
        for (Worker w : workers) {
            w.shutdown(Duration.ofSeconds(2));
        }
        extraFerries.forEach(Ferry::close);
        ferry.close();
        broker.close();
    }

    /** A worker builder on {@code on} with quick test settings: 50 ms polls, 10 ms retries. */
    protected WorkerBuilder testWorker(Ferry on, Duration shutdownGrace) {
        return on.worker()
                .pollInterval(Duration.ofMillis(50))
                .retryPolicy(RetryPolicy.fixed(Duration.ofMillis(10)))
                .shutdownGrace(shutdownGrace);
    }

    /** Starts the worker and shuts it down after the test. */
    protected Worker started(WorkerBuilder builder) {
        Worker w = builder.start();
        workers.add(w);
        return w;
    }

    /** A second Ferry on another broker (a decorator of the test's), closed after the test. */
    protected Ferry extraFerry(Broker on) {
        Ferry f = Ferry.builder().broker(on).build();
        extraFerries.add(f);
        return f;
    }
}
