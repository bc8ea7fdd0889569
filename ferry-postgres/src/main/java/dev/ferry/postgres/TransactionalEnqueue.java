package dev.ferry.postgres;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.TaskDefaults;
import dev.ferry.postgres.internal.ConnectionBroker;
import java.sql.Connection;
import java.util.Objects;

/**
 * Enqueue in the application's own transaction: the task exists if and only if that transaction
 * commits (the outbox problem, solved the way River, Oban and graphile-worker do).
 *
 * <pre>{@code
 * try (Connection c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     insertOrder(c, order);
 *     TransactionalEnqueue.client(ferry, c)
 *             .enqueue(Task.of("order.confirm", new ConfirmOrder(order.id())));
 *     c.commit();   // the order and its task, or neither
 * }
 * }</pre>
 *
 * The returned {@link Client} validates and encodes tasks exactly as {@code ferry.client()} does
 * (same codec, same defaults), then writes them with {@code connection}. It never commits, rolls
 * back or closes the connection; the connection must be in a transaction (auto-commit off) and
 * reach the database and schema of the broker. Idle workers are notified when the transaction
 * commits (with notify on), and never for a transaction that rolls back.
 *
 * <p>A client is cheap: make one per transaction. If an enqueue fails with a
 * {@link dev.ferry.BrokerException}, PostgreSQL has aborted the transaction: roll it back.
 */
public final class TransactionalEnqueue {
    private TransactionalEnqueue() {
    }

    /**
     * A client that enqueues with {@code connection}, using the codec and task defaults of
     * {@code ferry}, whose broker must be a {@link PostgresBroker}.
     *
     * @throws InvalidInputException when ferry's broker is not a PostgresBroker or the connection is null
     */
    public static Client client(Ferry ferry, Connection connection) {
        Objects.requireNonNull(ferry, "ferry");
        if (!(ferry.broker() instanceof PostgresBroker broker)) {
            throw new InvalidInputException("broker", "transactional enqueue needs a PostgresBroker; this Ferry uses "
                    + ferry.broker().capabilities().name());
        }
        return client(broker, connection, ferry.codec(), ferry.defaults());
    }

    /** A client that enqueues with {@code connection}, with the standard codec and task defaults. */
    public static Client client(PostgresBroker broker, Connection connection) {
        return client(broker, connection, JsonCodec.jackson(), TaskDefaults.standard());
    }

    /** A client that enqueues with {@code connection}, with the given codec and task defaults. */
    public static Client client(PostgresBroker broker, Connection connection, JsonCodec codec, TaskDefaults defaults) {
        Objects.requireNonNull(broker, "broker");
        if (connection == null) {
            throw new InvalidInputException("connection", "must not be null");
        }
        ConnectionBroker bound = new ConnectionBroker(broker.store().db(), broker.capabilities(), connection);
        // A Ferry over the bound broker only to reuse the core's Client (validation, ids, encoding,
        // defaults); it owns nothing and starts nothing, so it needs no closing.
        return Ferry.builder().broker(bound).codec(codec).defaults(defaults).build().client();
    }
}
