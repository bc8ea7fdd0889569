package dev.ferry.server;

import dev.ferry.Inspector;
import dev.ferry.QueueStats;
import dev.ferry.TaskEvent;
import dev.ferry.TaskListener;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Ferry's Micrometer meters. Two sources, so that one scrape of one process tells the state of
 * the whole fleet, and each worker process adds what only it can see:
 *
 * <ul>
 *   <li><b>The broker's maintained counters</b>, read through the {@link Inspector} by
 *       {@link #refresh()} (one {@code queues()} and one {@code workers()} call, whatever the
 *       number of tasks): queue depth by state, oldest pending age, dead set size, paused flag,
 *       processed / failed / dead / poisoned totals of every worker anywhere, and every live
 *       worker's busy and total slots from its heartbeat.</li>
 *   <li><b>This process's workers</b>, as a {@link TaskListener} added to them
 *       ({@code ferry.worker().listener(metrics)}): the processing-time histogram by queue, type
 *       and outcome, retries, timeouts, lease expirations and tasks held by a flow-control limit.</li>
 * </ul>
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * FerryMetrics metrics = new FerryMetrics(ferry.inspector());
 * metrics.bindTo(registry);
 * metrics.refreshEvery(Duration.ofSeconds(10));   // unless a FerryServer refreshes it at each scrape
 * ferry.worker().listener(metrics).handle(...).start();
 * }</pre>
 *
 * The names, in Prometheus form, are listed in {@code docs/metrics.md}.
 */
public final class FerryMetrics implements MeterBinder, TaskListener, AutoCloseable {
    /** The bucket bounds of the processing-time histogram: fixed, so every series has the same few buckets. */
    static final Duration[] PROCESSING_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMinutes(15)
    };

    private static final System.Logger LOG = System.getLogger(FerryMetrics.class.getName());

    private final Inspector inspector;
    private final Clock clock;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private final List<MultiGauge> workerBusy = new CopyOnWriteArrayList<>();
    private final List<MultiGauge> workerSlots = new CopyOnWriteArrayList<>();
    private final Set<String> boundQueues = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Timer>> timers = new ConcurrentHashMap<>();
    private final Map<String, List<Counter>> counters = new ConcurrentHashMap<>();
    private volatile Map<String, QueueStats> queues = Map.of();
    private volatile List<WorkerInfo> workers = List.of();
    private volatile long lastRefreshNanos;
    private final Object refreshLock = new Object();
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Thread refresher;

    /** Meters over {@code inspector}'s broker. */
    public FerryMetrics(Inspector inspector) {
        this(inspector, Clock.systemUTC());
    }

    FerryMetrics(Inspector inspector, Clock clock) {
        this.inspector = Objects.requireNonNull(inspector, "inspector");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (registries.contains(registry)) {
            return;
        }
        registries.add(registry);
        Gauge.builder("ferry.workers", this, m -> m.workers.size())
                .description("Workers with a recent heartbeat")
                .register(registry);
        workerBusy.add(MultiGauge.builder("ferry.worker.busy.slots")
                .description("Handler slots in use at the worker's last heartbeat").register(registry));
        workerSlots.add(MultiGauge.builder("ferry.worker.slots")
                .description("Handler slots of the worker (its concurrency)").register(registry));
        for (String queue : boundQueues) {
            bindQueue(registry, queue);
        }
        try {
            refresh();
        } catch (RuntimeException e) {
            // a broker that is down now is read again at the next refresh
            LOG.log(System.Logger.Level.WARNING, "first metrics refresh failed: " + e.getMessage());
        }
    }

    /** Reads the broker's counters now and registers meters for queues seen for the first time. */
    public void refresh() {
        synchronized (refreshLock) {
            Map<String, QueueStats> byName = new java.util.LinkedHashMap<>();
            for (QueueStats q : inspector.queues()) {
                byName.put(q.queue(), q);
            }
            List<WorkerInfo> alive = inspector.workers();
            queues = Map.copyOf(byName);
            workers = List.copyOf(alive);
            lastRefreshNanos = System.nanoTime();
            for (String queue : byName.keySet()) {
                if (boundQueues.add(queue)) {
                    for (MeterRegistry r : registries) {
                        bindQueue(r, queue);
                    }
                }
            }
            List<MultiGauge.Row<?>> busy = new ArrayList<>();
            List<MultiGauge.Row<?>> slots = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (WorkerInfo w : alive) {
                if (seen.add(w.workerId())) {
                    busy.add(MultiGauge.Row.of(Tags.of("worker", w.workerId()), w.busy()));
                    slots.add(MultiGauge.Row.of(Tags.of("worker", w.workerId()), w.concurrency()));
                }
            }
            // overwrite: a worker whose heartbeat stopped disappears from the series
            workerBusy.forEach(g -> g.register(busy, true));
            workerSlots.forEach(g -> g.register(slots, true));
        }
    }

    /** {@link #refresh()} unless the last one is younger than {@code maxAge}. */
    void refreshIfOlder(Duration maxAge) {
        if (System.nanoTime() - lastRefreshNanos >= maxAge.toNanos()) {
            refresh();
        }
    }

    /**
     * Refreshes in a background (virtual) thread every {@code interval}, for registries scraped by
     * something other than a {@link FerryServer} (which refreshes at each scrape). Stopped by {@link #close()}.
     */
    public synchronized FerryMetrics refreshEvery(Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new dev.ferry.InvalidInputException("interval", "must be positive, was " + interval);
        }
        if (refresher != null) {
            throw new IllegalStateException("refreshEvery was called already");
        }
        refresher = Thread.ofVirtual().name("ferry-metrics-refresh").start(() -> {
            try {
                do {
                    try {
                        refresh();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.DEBUG, "metrics refresh failed: " + e, e);
                    }
                } while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return this;
    }

    private void bindQueue(MeterRegistry registry, String queue) {
        for (TaskState state : TaskState.values()) {
            Gauge.builder("ferry.queue.depth", this, queueValue(queue, q -> q.count(state)))
                    .description("Tasks in the queue by state (finished ones while retained)")
                    .tags("queue", queue, "state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("ferry.queue.oldest.pending.age", this, queueValue(queue, q -> q.oldestPendingAt() == null ? 0
                        : Math.max(0, Duration.between(q.oldestPendingAt(), clock.instant()).toMillis()) / 1000.0))
                .description("How long the oldest pending task has been ready to run (queue latency); 0 when none is pending")
                .baseUnit("seconds")
                .tags("queue", queue)
                .register(registry);
        Gauge.builder("ferry.dead.set.size", this, queueValue(queue, q -> q.count(TaskState.DEAD)))
                .description("Dead tasks kept in the queue's dead set")
                .tags("queue", queue)
                .register(registry);
        Gauge.builder("ferry.queue.paused", this, queueValue(queue, q -> q.paused() ? 1 : 0))
                .description("1 when workers do not claim from the queue")
                .tags("queue", queue)
                .register(registry);
        FunctionCounter.builder("ferry.tasks.processed", this, queueValue(queue, QueueStats::processedTotal))
                .description("Attempts that completed successfully, by any worker (broker total)")
                .tags("queue", queue)
                .register(registry);
        FunctionCounter.builder("ferry.tasks.failed", this, queueValue(queue, QueueStats::failedTotal))
                .description("Attempts that failed (retried or dead), by any worker (broker total)")
                .tags("queue", queue)
                .register(registry);
        FunctionCounter.builder("ferry.tasks.dead", this, queueValue(queue, QueueStats::deadTotal))
                .description("Tasks that went to the dead set (broker total)")
                .tags("queue", queue)
                .register(registry);
        FunctionCounter.builder("ferry.tasks.poisoned", this, queueValue(queue, QueueStats::poisonedTotal))
                .description("Tasks that went dead because their lease expired too often (broker total)")
                .tags("queue", queue)
                .register(registry);
    }

    private static ToDoubleFunction<FerryMetrics> queueValue(String queue, ToDoubleFunction<QueueStats> f) {
        return m -> {
            QueueStats q = m.queues.get(queue);
            return q == null ? 0 : f.applyAsDouble(q);
        };
    }

    /** Records a worker event of this process. Quick and never throws, as listeners must be. */
    @Override
    public void onEvent(TaskEvent event) {
        try {
            switch (event.kind()) {
                case SUCCEEDED -> time(event, "succeeded");
                case RETRYING -> {
                    time(event, "retrying");
                    count("ferry.tasks.retried", "Attempts that failed and will be retried (this process's workers)", event);
                }
                case DEAD -> time(event, "dead");
                case CANCELLED -> time(event, "cancelled");
                case SNOOZED -> time(event, "snoozed");
                case TIMED_OUT -> count("ferry.task.timeouts", "Attempts interrupted by their timeout (this process's workers)", event);
                case LEASE_LOST -> count("ferry.lease.expirations", "Running tasks whose lease expired or was lost (this process's workers)", event);
                case LIMITED -> count("ferry.tasks.limited",
                        "Tasks a flow-control limit (rate or concurrency) held back to wait in the backend (this process's workers)", event);
                default -> {
                    // STARTED and RELEASED carry no duration or outcome worth a series
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "recording a task event failed: " + e, e);
        }
    }

    private void time(TaskEvent e, String outcome) {
        String key = e.queue() + '\u0000' + e.type() + '\u0000' + outcome;
        List<Timer> ts = timers.computeIfAbsent(key, k -> {
            List<Timer> list = new ArrayList<>();
            for (MeterRegistry r : registries) {
                list.add(Timer.builder("ferry.task.processing")
                        .description("Time a handler ran, by queue, type and outcome (this process's workers)")
                        .tags("queue", e.queue(), "type", e.type(), "outcome", outcome)
                        .serviceLevelObjectives(PROCESSING_BUCKETS)
                        .register(r));
            }
            return list;
        });
        Duration took = e.took() == null ? Duration.ZERO : e.took();
        for (Timer t : ts) {
            t.record(took);
        }
    }

    private void count(String name, String description, TaskEvent e) {
        String key = name + '\u0000' + e.queue() + '\u0000' + e.type();
        List<Counter> cs = counters.computeIfAbsent(key, k -> {
            List<Counter> list = new ArrayList<>();
            for (MeterRegistry r : registries) {
                list.add(Counter.builder(name).description(description)
                        .tags("queue", e.queue(), "type", e.type()).register(r));
            }
            return list;
        });
        cs.forEach(Counter::increment);
    }

    /** Stops the background refresh, if any. The meters stay registered. */
    @Override
    public void close() {
        stop.countDown();
        Thread t = refresher;
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
