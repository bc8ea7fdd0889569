package dev.ferry.postgres.internal;

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
import dev.ferry.spi.ProgressRequest;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PromoteResponse;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.PruneResponse;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import dev.ferry.spi.ReleaseRequest;
import dev.ferry.spi.ReleaseResponse;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import dev.ferry.spi.TaskPage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The broker behind a transactional client: it only enqueues, and it does so on the
 * application's connection inside the application's open transaction, never committing, rolling
 * back or closing it. The tasks and their wake-up notifications become visible when the
 * application commits, and vanish when it rolls back. The core's {@code Client} validates and
 * encodes the tasks before they get here, exactly as for any broker.
 */
public final class ConnectionBroker implements Broker {
    private final Db db;
    private final Connection connection;
    private final BrokerCapabilities capabilities;

    public ConnectionBroker(Db db, BrokerCapabilities capabilities, Connection connection) {
        this.db = db;
        this.capabilities = capabilities;
        this.connection = connection;
    }

    @Override
    public BrokerCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public EnqueueResponse enqueue(EnqueueRequest request) {
        Enqueues.check(request.tasks());
        if (request.tasks().isEmpty()) {
            return new EnqueueResponse(List.of());
        }
        try {
            if (connection.isClosed()) {
                throw new BrokerException("transactional enqueue: the connection is closed", false);
            }
            if (connection.getAutoCommit()) {
                throw new BrokerException("transactional enqueue: the connection is in auto-commit mode, so there is"
                        + " no transaction to join: call setAutoCommit(false) first", false);
            }
            try (Tx tx = new Tx(connection, db.sql(), db.testNow(), db.channel(), false)) {
                EnqueueResponse response = Enqueues.enqueue(tx, request.tasks());
                tx.finish();
                return response;
            }
        } catch (SQLException e) {
            throw PgErrors.translate("transactional enqueue failed (the application's transaction is aborted"
                    + " and must be rolled back)", e);
        }
    }

    private static UnsupportedOperationException enqueueOnly(String op) {
        return new UnsupportedOperationException("a transactional client only enqueues; " + op
                + " goes through the broker itself");
    }

    @Override
    public ClaimResponse claim(ClaimRequest request) {
        throw enqueueOnly("claim");
    }

    @Override
    public RenewResponse renew(RenewRequest request) {
        throw enqueueOnly("renew");
    }

    @Override
    public AckResponse ack(AckRequest request) {
        throw enqueueOnly("ack");
    }

    @Override
    public ReleaseResponse release(ReleaseRequest request) {
        throw enqueueOnly("release");
    }

    @Override
    public boolean progress(ProgressRequest request) {
        throw enqueueOnly("progress");
    }

    @Override
    public RecoverResponse recoverExpired(RecoverRequest request) {
        throw enqueueOnly("recoverExpired");
    }

    @Override
    public PromoteResponse promote(PromoteRequest request) {
        throw enqueueOnly("promote");
    }

    @Override
    public PruneResponse prune(PruneRequest request) {
        throw enqueueOnly("prune");
    }

    @Override
    public boolean awaitWork(AwaitRequest request) {
        throw enqueueOnly("awaitWork");
    }

    @Override
    public List<QueueStats> stats(List<String> queues) {
        throw enqueueOnly("stats");
    }

    @Override
    public TaskPage list(ListRequest request) {
        throw enqueueOnly("list");
    }

    @Override
    public Optional<TaskInfo> get(String taskId) {
        throw enqueueOnly("get");
    }

    @Override
    public AdminResponse admin(AdminCommand command) {
        throw enqueueOnly("admin");
    }

    @Override
    public Optional<String> idempotency(IdempotencyRequest request) {
        throw enqueueOnly("idempotency");
    }

    @Override
    public LeaderResponse lead(LeaderRequest request) {
        throw enqueueOnly("lead");
    }

    @Override
    public void heartbeat(WorkerInfo worker) {
        throw enqueueOnly("heartbeat");
    }

    @Override
    public List<WorkerInfo> workers() {
        throw enqueueOnly("workers");
    }

    @Override
    public void unregister(String workerId) {
        throw enqueueOnly("unregister");
    }

    /** Nothing to close: the connection belongs to the application. */
    @Override
    public void close() {
    }
}
