package dev.ferry;

import dev.ferry.internal.DefaultClient;
import dev.ferry.internal.DefaultInspector;
import dev.ferry.spi.Broker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The entry point: one broker, one codec, task defaults; hands out the {@link Client},
 * {@link Inspector} and {@link Worker}s that share them.
 *
 * <pre>{@code
 * try (Ferry ferry = Ferry.open("sqlite:./ferry.db")) {
 *     ferry.client().enqueue(Task.of("email.send", new Email("a@b.c")));
 *     ferry.worker()
 *          .handle("email.send", Email.class, (email, ctx) -> mailer.send(email))
 *          .start();
 *     ...
 * }
 * }</pre>
 *
 * No static state: every instance is independent, and {@link #close()} stops the workers and
 * schedulers it started and closes the broker it opened.
 */
public final class Ferry implements AutoCloseable {
    private final Broker broker;
    private final boolean ownsBroker;
    private final JsonCodec codec;
    private final TaskDefaults defaults;
    private final Client client;
    private final Inspector inspector;
    private final dev.ferry.workflow.Workflows workflows;
    private final List<Worker> workers = new ArrayList<>();
    private final List<CronScheduler> schedulers = new ArrayList<>();
    private final List<Housekeeper> housekeepers = new ArrayList<>();
    private boolean closed;

    private Ferry(Builder b) {
        this.broker = b.broker;
        this.ownsBroker = b.ownsBroker;
        this.codec = b.codec;
        this.defaults = b.defaults;
        this.client = new DefaultClient(broker, codec, defaults, b.interceptors);
        this.inspector = new DefaultInspector(broker, codec);
        this.workflows = new dev.ferry.internal.workflow.WorkflowEngine(broker, codec, defaults);
    }

    /** Opens the broker at {@code url} with standard settings; closing Ferry closes it. */
    public static Ferry open(String brokerUrl) {
        return builder().brokerUrl(brokerUrl).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Client client() {
        return client;
    }

    public Inspector inspector() {
        return inspector;
    }

    /**
     * Starts workflows (chains, groups, chords, flows, graphs) on this Ferry's broker, with its
     * task defaults. See {@link dev.ferry.workflow.Workflow}.
     */
    public dev.ferry.workflow.Workflows workflows() {
        return workflows;
    }

    /** A new worker builder on this Ferry's broker. Workers it starts are stopped by {@link #close()}. */
    public WorkerBuilder worker() {
        return new WorkerBuilder(this);
    }

    /**
     * A new builder for a {@link CronScheduler} that fires recurring tasks on this Ferry's broker,
     * through its client. Schedulers it builds are closed by {@link #close()}.
     */
    /**
     * A housekeeper (promote due tasks, recover expired leases, prune) for processes that run no
     * worker, such as {@code ferry scheduler} next to workers scaled to zero. Not started; closed
     * with this Ferry if still running.
     */
    public Housekeeper housekeeper() {
        Housekeeper h = new dev.ferry.internal.HousekeeperRuntime(broker, 3);
        synchronized (this) {
            housekeepers.add(h);
        }
        return h;
    }

    /** Cron schedules stored in the backend: add, list and remove them while schedulers run. */
    public CronSchedules cronSchedules() {
        return cronSchedules(java.time.Clock.systemUTC());
    }

    CronSchedules cronSchedules(java.time.Clock clock) {
        return new CronSchedules(broker, client(), codec, clock);
    }

    public CronScheduler.Builder scheduler() {
        return new CronScheduler.Builder(this);
    }

    /** The broker, for advanced use (the storage SPI). */
    public Broker broker() {
        return broker;
    }

    public JsonCodec codec() {
        return codec;
    }

    public TaskDefaults defaults() {
        return defaults;
    }

    synchronized void track(Worker worker) {
        if (closed) {
            throw new IllegalStateException("this Ferry is closed");
        }
        workers.add(worker);
    }

    synchronized void track(CronScheduler scheduler) {
        if (closed) {
            throw new IllegalStateException("this Ferry is closed");
        }
        schedulers.add(scheduler);
    }

    /**
     * Closes the schedulers built from this instance (so no more ticks fire), stops its workers
     * (gracefully), then closes an owned broker.
     */
    @Override
    public void close() {
        List<Worker> toStop;
        List<CronScheduler> toClose;
        List<Housekeeper> keepers;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(workers);
            toClose = new ArrayList<>(schedulers);
            keepers = new ArrayList<>(housekeepers);
        }
        for (CronScheduler s : toClose) {
            s.close();
        }
        keepers.forEach(Housekeeper::close);
        for (Worker w : toStop) {
            w.close();
        }
        if (ownsBroker) {
            broker.close();
        }
    }

    /** Configures a {@link Ferry}. */
    public static final class Builder {
        private Broker broker;
        private boolean ownsBroker;
        private JsonCodec codec = JsonCodec.jackson();
        private TaskDefaults defaults = TaskDefaults.standard();
        private final List<EnqueueInterceptor> interceptors = new ArrayList<>();

        private Builder() {
        }

        /** Uses a broker you opened; {@link Ferry#close()} leaves it open. */
        public Builder broker(Broker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            this.ownsBroker = false;
            return this;
        }

        /** Opens the broker for this URL (see {@link Brokers}); {@link Ferry#close()} closes it. */
        public Builder brokerUrl(String url) {
            this.broker = Brokers.open(url);
            this.ownsBroker = true;
            return this;
        }

        public Builder codec(JsonCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Adds an interceptor around every enqueue of this Ferry's client (tracing, auditing);
         * the first added is the outermost.
         */
        public Builder enqueueInterceptor(EnqueueInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        public Builder defaults(TaskDefaults defaults) {
            this.defaults = Objects.requireNonNull(defaults, "defaults");
            return this;
        }

        public Ferry build() {
            if (broker == null) {
                throw new InvalidInputException("broker", "set broker(...) or brokerUrl(...)");
            }
            return new Ferry(this);
        }
    }
}
