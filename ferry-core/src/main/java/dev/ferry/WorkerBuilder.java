package dev.ferry;

import dev.ferry.internal.Validation;
import dev.ferry.internal.WorkerConfig;
import dev.ferry.internal.WorkerRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Configures a {@link Worker}. Every setting is checked when set; {@link #build()} freezes them.
 *
 * <pre>{@code
 * Worker worker = ferry.worker()
 *         .queues(QueueSelection.weighted(Map.of("critical", 6, "default", 3, "low", 1)))
 *         .concurrency(20)
 *         .handle("order.charge", ChargeOrder.class, (order, ctx) -> payments.charge(order))
 *         .start();
 * }</pre>
 */
public final class WorkerBuilder {
    private final Ferry ferry;
    private QueueSelection queues;
    private int concurrency = 10;
    private int prefetch = 0;
    private Duration lease = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofMillis(500);
    private Duration shutdownGrace = Duration.ofSeconds(30);
    private RetryPolicy retryPolicy = RetryPolicy.exponential();
    private int maxLeaseExpirations = 3;
    private boolean maintenance = true;
    private String workerId;
    private final Map<String, WorkerConfig.Registration<?>> handlers = new LinkedHashMap<>();
    private final List<TaskListener> listeners = new ArrayList<>();
    private final List<TaskMiddleware> middleware = new ArrayList<>();
    private final List<Limit> limits = new ArrayList<>();
    private final List<dev.ferry.internal.Aggregation> batches = new ArrayList<>();

    WorkerBuilder(Ferry ferry) {
        this.ferry = ferry;
    }

    /** The queues to claim from; default: the task defaults' queue only. */
    public WorkerBuilder queues(QueueSelection queues) {
        this.queues = Objects.requireNonNull(queues, "queues");
        return this;
    }

    /** Strict order over these queues. */
    public WorkerBuilder queues(String... queues) {
        return queues(QueueSelection.strict(queues));
    }

    /** Handler slots: at most this many tasks run at once (default 10). */
    public WorkerBuilder concurrency(int concurrency) {
        if (concurrency < 1 || concurrency > 100_000) {
            throw new InvalidInputException("concurrency", "must be between 1 and 100000, was " + concurrency);
        }
        this.concurrency = concurrency;
        return this;
    }

    /**
     * Tasks claimed ahead of free slots (default 0: claim only for free slots, the fair setting).
     * Prefetched tasks are leased, so other workers cannot take them.
     */
    public WorkerBuilder prefetch(int prefetch) {
        if (prefetch < 0 || prefetch > 100_000) {
            throw new InvalidInputException("prefetch", "must be between 0 and 100000, was " + prefetch);
        }
        this.prefetch = prefetch;
        return this;
    }

    /** Lease duration, renewed every third of it while a task runs (default 30 s). */
    public WorkerBuilder lease(Duration lease) {
        Validation.positive("lease", lease);
        if (lease.toMillis() < 300) {
            throw new InvalidInputException("lease", "must be at least 300ms, was " + lease);
        }
        this.lease = lease;
        return this;
    }

    /** How long an idle worker waits before it claims again when no wake-up comes (default 500 ms). */
    public WorkerBuilder pollInterval(Duration pollInterval) {
        Validation.positive("pollInterval", pollInterval);
        this.pollInterval = pollInterval;
        return this;
    }

    /** How long {@link Worker#close()} lets running tasks finish before releasing them (default 30 s). */
    public WorkerBuilder shutdownGrace(Duration grace) {
        Validation.nonNegative("shutdownGrace", grace);
        this.shutdownGrace = grace;
        return this;
    }

    /** The retry policy for every type without its own (default {@link RetryPolicy#exponential()}). */
    public WorkerBuilder retryPolicy(RetryPolicy policy) {
        this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
        return this;
    }

    /** Lease expirations after which a task is poison and goes dead (default 3). */
    public WorkerBuilder maxLeaseExpirations(int max) {
        if (max < 1) {
            throw new InvalidInputException("maxLeaseExpirations", "must be at least 1, was " + max);
        }
        this.maxLeaseExpirations = max;
        return this;
    }

    /**
     * Whether this worker also runs the background duties: promoting due tasks, recovering
     * expired leases and pruning finished tasks (default true; they are safe to run in many workers).
     */
    public WorkerBuilder maintenance(boolean enabled) {
        this.maintenance = enabled;
        return this;
    }

    /** A fixed worker id (default: host, pid and a random part). */
    public WorkerBuilder workerId(String id) {
        this.workerId = Validation.id("workerId", id);
        return this;
    }

    /** Registers the handler for a task type, with the payload's class. */
    public <P> WorkerBuilder handle(String type, Class<P> payloadType, Handler<? super P> handler) {
        return handle(type, payloadType, handler, null);
    }

    /** Registers a handler with its own retry policy for this type. */
    public <P> WorkerBuilder handle(String type, Class<P> payloadType, Handler<? super P> handler, RetryPolicy retryPolicy) {
        Validation.type("type", type);
        Objects.requireNonNull(payloadType, "payloadType");
        Objects.requireNonNull(handler, "handler");
        if (handlers.containsKey(type)) {
            throw new InvalidInputException("type", "a handler for '" + type + "' is registered already");
        }
        handlers.put(type, new WorkerConfig.Registration<>(type, payloadType, handler, retryPolicy));
        return this;
    }

    /**
     * Registers a batch handler for a task type whose tasks are enqueued with
     * {@link Task#aggregate(String)}: items of one group key are gathered in the backend and
     * handed over together when {@code maxSize} have gathered or the oldest has waited
     * {@code maxDelay}. One worker at a time forms the batches of a queue (a leader lease), so
     * an item is in exactly one batch, whichever worker runs it.
     *
     * @param type     the items' task type
     * @param itemType the class one item's payload binds to
     * @param maxSize  the most items in one batch, 1 to 500
     * @param maxDelay the longest the oldest item waits for others, positive
     * @param handler  handles a batch
     * @throws InvalidInputException for a bad size or delay, or a type registered already
     */
    public <P> WorkerBuilder handleBatch(String type, Class<P> itemType, int maxSize, Duration maxDelay, BatchHandler<P> handler) {
        Objects.requireNonNull(itemType, "itemType");
        Objects.requireNonNull(handler, "handler");
        if (maxSize < 1 || maxSize > 500) {
            throw new InvalidInputException("maxSize", "must be between 1 and 500, was " + maxSize);
        }
        if (maxDelay == null || !maxDelay.isPositive()) {
            throw new InvalidInputException("maxDelay", "must be a positive duration, was " + maxDelay);
        }
        JsonCodec codec = ferry.codec();
        handle(type, RawJson.class, (batch, ctx) -> {
            List<P> items = new ArrayList<>();
            for (Object item : codec.decode(batch.json(), List.class)) {
                items.add(codec.decode(codec.encode(item), itemType));
            }
            return handler.handle(items, ctx);
        });
        batches.add(new dev.ferry.internal.Aggregation(type, maxSize, maxDelay));
        return this;
    }

    /** Adds a listener for task events. */
    public WorkerBuilder listener(TaskListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Adds a flow-control limit (a rate or concurrency limit on a queue, optionally per task key)
     * that the backend enforces across all workers. Every worker of the queue should declare the
     * same limits. See {@link Limit}.
     *
     * @throws InvalidInputException when a limit of the same kind and scope is declared for the queue already
     */
    public WorkerBuilder limit(Limit limit) {
        Objects.requireNonNull(limit, "limit");
        for (Limit l : limits) {
            if (l.queue().equals(limit.queue()) && l.kind() == limit.kind() && l.keyed() == limit.keyed()) {
                throw new InvalidInputException("limit", "a " + l.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + (l.keyed() ? " per-key" : "") + " limit for queue '" + l.queue() + "' is declared already: " + l);
            }
        }
        limits.add(limit);
        return this;
    }

    /** Adds a middleware around every handler call; the first added is the outermost. */
    public WorkerBuilder middleware(TaskMiddleware mw) {
        middleware.add(Objects.requireNonNull(mw, "middleware"));
        return this;
    }

    /** Builds the worker without starting it. */
    public Worker build() {
        if (handlers.isEmpty()) {
            throw new InvalidInputException("handlers", "register at least one handler with handle(type, payloadClass, handler)");
        }
        QueueSelection q = queues != null ? queues : QueueSelection.strict(ferry.defaults().queue());
        WorkerConfig config = new WorkerConfig(workerId != null ? workerId : WorkerRuntime.newWorkerId(), q, concurrency,
                prefetch, lease, pollInterval, shutdownGrace, retryPolicy, maxLeaseExpirations, maintenance,
                Map.copyOf(handlers), List.copyOf(listeners), List.copyOf(middleware), List.copyOf(limits), List.copyOf(batches));
        Worker worker = new WorkerRuntime(ferry.broker(), ferry.codec(), config);
        ferry.track(worker);
        return worker;
    }

    /** Builds and starts the worker. */
    public Worker start() {
        return build().start();
    }
}
