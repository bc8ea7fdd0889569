package dev.ferry.embedded.internal;

import dev.ferry.BrokerException;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AckResponse;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.AdminResponse;
import dev.ferry.spi.AwaitRequest;
import dev.ferry.spi.Broker;
import dev.ferry.spi.BrokerCapabilities;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimResponse;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.EnqueueResponse;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.LeaderResponse;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import dev.ferry.spi.ProgressRequest;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PromoteResponse;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.PruneResponse;
import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecordResponse;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import dev.ferry.spi.ReleaseRequest;
import dev.ferry.spi.ReleaseResponse;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import dev.ferry.spi.TaskPage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded broker's implementation: writes through the group-commit {@link Writer}, reads
 * through the {@link ReadPool}, wake-ups through {@link Signals}.
 */
public final class Store implements Broker {
    private static final BrokerCapabilities CAPABILITIES = new BrokerCapabilities(
            "embedded",
            false, // only workers of this process are pushed; other processes find work by polling
            true,
            true,
            false);

    private final Settings settings;
    private final Signals signals = new Signals();
    private final Writer writer;
    private final Checkpointer checkpointer;
    private final ReadPool reads;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Store(Settings settings, Connection writeConnection, Connection checkpointConnection) {
        this.settings = settings;
        String name = settings.file().getFileName().toString();
        AtomicLong commits = new AtomicLong();
        this.writer = new Writer(writeConnection, settings, signals, commits, "ferry-writer " + name);
        this.checkpointer = new Checkpointer(checkpointConnection, commits, "ferry-checkpointer " + name);
        this.reads = new ReadPool(settings);
    }

    /** Opens (creating if needed) the database file and starts the writer. */
    public static Store open(Settings settings) {
        Path file = settings.file().toAbsolutePath().normalize();
        Settings s = new Settings(file, settings.clock(), settings.fullSync(), settings.busyTimeout(),
                settings.pollInterval(), settings.readConnections());
        if (Files.isDirectory(file)) {
            throw new BrokerException("embedded broker: cannot open " + file + ": it is a directory, not a database file",
                    false);
        }
        Path parent = file.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new BrokerException("embedded broker: cannot open " + file + ": cannot create directory " + parent
                        + " (" + e + ")", false, e);
            }
        }
        Connection connection = null;
        Connection checkpoints = null;
        try {
            connection = Connections.openWriter(s);
            Schema.createOrCheck(connection);
            checkpoints = Connections.openCheckpointer(s);
            return new Store(s, connection, checkpoints);
        } catch (SQLException e) {
            Connections.closeQuietly(checkpoints);
            Connections.closeQuietly(connection);
            throw new BrokerException("embedded broker: cannot open " + file + ": " + e.getMessage(),
                    SqliteErrors.isBusy(e), e);
        }
    }

    /** The database file (absolute). */
    public Path file() {
        return settings.file();
    }

    @Override
    public BrokerCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public EnqueueResponse enqueue(EnqueueRequest request) {
        if (request.tasks().isEmpty()) {
            return new EnqueueResponse(List.of());
        }
        return writer.execute("enqueue", tx -> TaskWrites.enqueue(tx, request.tasks()));
    }

    /** Per claiming thread: the wake-up generations seen just before its last claim. */
    private final ThreadLocal<java.util.Map<String, Long>> lastClaimMark = new ThreadLocal<>();

    @Override
    public ClaimResponse claim(ClaimRequest request) {
        // Marked before the claim runs: an enqueue committed after the claim looked, but before the
        // caller starts awaitWork, must still wake it (it would otherwise sleep a poll interval).
        lastClaimMark.set(signals.mark(request.queues()));
        return writer.execute("claim", tx -> TaskWrites.claim(tx, request));
    }

    @Override
    public RenewResponse renew(RenewRequest request) {
        return writer.execute("renew", tx -> TaskWrites.renew(tx, request));
    }

    @Override
    public AckResponse ack(AckRequest request) {
        return writer.execute("ack", tx -> TaskWrites.ack(tx, request.acks()));
    }

    @Override
    public ReleaseResponse release(ReleaseRequest request) {
        return writer.execute("release", tx -> TaskWrites.release(tx, request.leases()));
    }

    @Override
    public boolean progress(ProgressRequest request) {
        return writer.execute("progress", tx -> TaskWrites.progress(tx, request));
    }

    @Override
    public RecoverResponse recoverExpired(RecoverRequest request) {
        return writer.execute("recoverExpired", tx -> TaskWrites.recoverExpired(tx, request));
    }

    @Override
    public PromoteResponse promote(PromoteRequest request) {
        return writer.execute("promote", tx -> TaskWrites.promote(tx, request.limit()));
    }

    @Override
    public PruneResponse prune(PruneRequest request) {
        return writer.execute("prune", tx -> TaskWrites.prune(tx, request.limit()));
    }

    @Override
    public boolean awaitWork(AwaitRequest request) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (closed.get()) {
            return false;
        }
        long requested = nanos(request.timeout());
        long poll = settings.pollInterval().toNanos();
        java.util.Map<String, Long> mark = lastClaimMark.get();
        lastClaimMark.remove();
        if (requested <= poll) {
            return signals.await(request.queues(), mark, requested, TimeUnit.NANOSECONDS);
        }
        // Signals only come from this process. Work written by other processes sharing the file
        // is found by polling: the wait is cut to the poll interval, and the end of that shorter
        // wait counts as a wake-up ("look now"), unlike the end of the caller's own timeout.
        boolean woken = signals.await(request.queues(), mark, poll, TimeUnit.NANOSECONDS);
        return woken || !closed.get();
    }

    @Override
    public List<QueueStats> stats(List<String> queues) {
        return reads.read("stats", true, c -> TaskReads.stats(c, queues));
    }

    @Override
    public TaskPage list(ListRequest request) {
        Objects.requireNonNull(request.state(), "state");
        return reads.read("list", false, c -> TaskReads.list(c, request));
    }

    @Override
    public Optional<TaskInfo> get(String taskId) {
        return reads.read("get", false, c -> TaskReads.get(c, taskId));
    }

    @Override
    public AdminResponse admin(AdminCommand command) {
        return new AdminResponse(writer.execute("admin", tx -> TaskWrites.admin(tx, command)));
    }

    @Override
    public Optional<String> idempotency(IdempotencyRequest request) {
        if (request.resultJson() == null) {
            long now = settings.clock().millis();
            return reads.read("idempotency", false, c -> TaskReads.idempotency(c, request.key(), now));
        }
        return writer.execute("idempotency", tx -> TaskWrites.idempotency(tx, request));
    }

    @Override
    public LeaderResponse lead(LeaderRequest request) {
        return writer.execute("lead", tx -> TaskWrites.lead(tx, request));
    }

    @Override
    public PermitResponse permits(PermitRequest request) {
        Objects.requireNonNull(request, "request");
        if (request.ops().isEmpty()) {
            return new PermitResponse(List.of());
        }
        return writer.execute("permits", tx -> Permits.apply(tx, request));
    }

    @Override
    public RecordResponse records(RecordCommand command) {
        Objects.requireNonNull(command, "command");
        return switch (command) {
            case RecordCommand.Get get -> reads.read("records", false, c -> Records.read(c, get));
            case RecordCommand.All all -> reads.read("records", false, c -> Records.read(c, all));
            case RecordCommand.Put put -> writer.execute("records", tx -> Records.write(tx, put));
            case RecordCommand.Delete delete -> writer.execute("records", tx -> Records.write(tx, delete));
        };
    }

    @Override
    public void heartbeat(WorkerInfo worker) {
        writer.execute("heartbeat", tx -> TaskWrites.heartbeat(tx, worker));
    }

    @Override
    public List<WorkerInfo> workers() {
        long now = settings.clock().millis();
        return reads.read("workers", false, c -> TaskReads.workers(c, now));
    }

    @Override
    public void unregister(String workerId) {
        writer.execute("unregister", tx -> TaskWrites.unregister(tx, workerId));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        signals.close();
        writer.close();
        checkpointer.close();
        reads.close();
    }

    private static long nanos(Duration d) {
        if (d == null || d.isNegative()) {
            return 0;
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
