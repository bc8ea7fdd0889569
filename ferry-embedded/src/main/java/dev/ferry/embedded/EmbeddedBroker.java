package dev.ferry.embedded;

import dev.ferry.embedded.internal.Settings;
import dev.ferry.embedded.internal.Store;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ForwardingBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The default {@link Broker}: every task in one SQLite file (WAL mode), no server to run.
 *
 * <pre>{@code
 * try (Broker broker = EmbeddedBroker.open(Path.of("ferry.db"))) { ... }
 *
 * Broker broker = EmbeddedBroker.builder(Path.of("/var/lib/app/ferry.db"))
 *         .synchronous(EmbeddedBroker.Synchronous.FULL)
 *         .build();
 * }</pre>
 *
 * <p><b>Durability.</b> An enqueue returns after its transaction committed. With the default
 * {@link Synchronous#NORMAL} it survives a crash of the process (kill -9); a power loss or OS
 * crash may lose the last transactions. {@link Synchronous#FULL} survives those too, at the
 * cost of an fsync per commit (see {@code docs/decisions/0001-embedded-durability.md}).
 *
 * <p><b>Concurrency.</b> Writes are funnelled through one writer thread that commits whatever
 * piled up in one transaction (group commit); reads (stats, list, get) use separate read
 * connections. Several processes on one host may open the same file: SQLite's lock orders their
 * writers, and workers of other processes discover new work by polling every
 * {@linkplain Builder#pollInterval(Duration) poll interval}. Do not put the file on a network
 * file system: WAL mode needs shared memory between the processes.
 *
 * <p>Thread-safe; failures surface as {@link dev.ferry.BrokerException}.
 */
public final class EmbeddedBroker extends ForwardingBroker {

    /** SQLite's {@code synchronous} setting for the write connection, in WAL mode. */
    public enum Synchronous {
        /** Sync at checkpoints only: survives a process crash, not always a power loss. The default. */
        NORMAL,
        /** Sync at every commit: also survives a power loss or OS crash; slower commits. */
        FULL
    }

    /** Default longest {@code awaitWork} wait before callers poll again. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);
    /** Default wait for another process's write lock before an operation fails as transient. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

    private final Store store;

    private EmbeddedBroker(Store store) {
        super(store);
        this.store = store;
    }

    /**
     * Opens the broker on {@code file} with the defaults: system clock, {@link Synchronous#NORMAL}.
     * The file and its parent directories are created when missing.
     *
     * @throws dev.ferry.BrokerException when the file cannot be opened or is not a Ferry database
     */
    public static EmbeddedBroker open(Path file) {
        return builder(file).build();
    }

    /** A builder for a broker on {@code file}. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** The database file, as an absolute path. */
    public Path file() {
        return store.file();
    }

    /** Finishes the writes already submitted, then closes the file. Idempotent. */
    @Override
    public String toString() {
        return "EmbeddedBroker[" + store.file() + "]";
    }

    /** Settings of an {@link EmbeddedBroker}; every one has a default. */
    public static final class Builder {
        private final Path file;
        private Clock clock = Clock.systemUTC();
        private Synchronous synchronous = Synchronous.NORMAL;
        private Duration busyTimeout = DEFAULT_BUSY_TIMEOUT;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private int readConnections = 4;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /** Broker time for due times, leases and retention (a manual clock in tests). Default: system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Durability of a commit; default {@link Synchronous#NORMAL}. */
        public Builder synchronous(Synchronous synchronous) {
            this.synchronous = Objects.requireNonNull(synchronous, "synchronous");
            return this;
        }

        /**
         * How long one transaction waits for another process holding the write lock (trying
         * again every fraction of a millisecond) before it is retried a few times and finally
         * fails with a transient {@link dev.ferry.BrokerException}. Default 5 s.
         */
        public Builder busyTimeout(Duration busyTimeout) {
            this.busyTimeout = Objects.requireNonNull(busyTimeout, "busyTimeout");
            return this;
        }

        /**
         * Longest {@code awaitWork} wait: how soon idle workers notice work enqueued by another
         * process. Work enqueued in this process wakes them at once. When this interval (shorter
         * than the caller's timeout) ends a wait, {@code awaitWork} returns true, meaning "look
         * for work now"; it returns false only when the caller's own timeout passed or on close.
         * Default 200 ms.
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        /** Read connections kept for stats, listing and lookups. Default 4. */
        public Builder readConnections(int readConnections) {
            this.readConnections = readConnections;
            return this;
        }

        /**
         * Opens the file, creating it and its schema when missing.
         *
         * @throws IllegalArgumentException for invalid settings
         * @throws dev.ferry.BrokerException when the file cannot be opened or is not a Ferry database
         */
        public EmbeddedBroker build() {
            Settings settings = new Settings(file, clock, synchronous == Synchronous.FULL, busyTimeout, pollInterval,
                    readConnections);
            return new EmbeddedBroker(Store.open(settings));
        }
    }
}
