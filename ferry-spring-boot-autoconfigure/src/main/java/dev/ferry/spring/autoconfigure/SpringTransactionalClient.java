package dev.ferry.spring.autoconfigure;

import dev.ferry.BrokerException;
import dev.ferry.Client;
import dev.ferry.EnqueueInterceptor;
import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.postgres.TransactionalEnqueue;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The injectable {@link Client} on PostgreSQL with the application's DataSource: inside a Spring
 * transaction it enqueues with that transaction's connection, so a task exists if and only if the
 * transaction commits; outside one it enqueues on its own, like {@code ferry.client()}.
 *
 * <p>The transaction's connection is the one {@link DataSourceUtils} hands out: the one bound by
 * {@code DataSourceTransactionManager} or {@code JpaTransactionManager} on this DataSource. A
 * transaction that runs on another resource (another DataSource, JMS) leaves the connection in
 * auto-commit; then the task is enqueued on its own, as it would be on any other backend.
 */
final class SpringTransactionalClient implements Client {
    private final Ferry ferry;
    private final DataSource dataSource;
    private final List<EnqueueInterceptor> interceptors;

    SpringTransactionalClient(Ferry ferry, DataSource dataSource, List<EnqueueInterceptor> interceptors) {
        this.ferry = ferry;
        this.dataSource = dataSource;
        this.interceptors = List.copyOf(interceptors);
    }

    @Override
    public EnqueueResult enqueue(Task task) {
        return withClient(c -> c == ferry.client() ? c.enqueue(task) : intercepted(0, List.of(task), true, c).getFirst());
    }

    @Override
    public List<EnqueueResult> enqueueAll(List<Task> tasks) {
        return withClient(c -> c == ferry.client() ? c.enqueueAll(tasks) : intercepted(0, tasks, false, c));
    }

    /**
     * The transaction's client is built apart from {@code ferry}, so it runs the interceptors
     * {@code ferry.client()} would (tracing) itself, in the same order.
     */
    private List<EnqueueResult> intercepted(int i, List<Task> tasks, boolean single, Client target) {
        if (i == interceptors.size()) {
            // a single enqueue keeps its error fields unindexed ("queue", not "tasks[0].queue")
            return single && tasks.size() == 1 ? List.of(target.enqueue(tasks.getFirst())) : target.enqueueAll(tasks);
        }
        return interceptors.get(i).intercept(tasks, next -> intercepted(i + 1, next, single, target));
    }

    @Override
    public void validate(Task task) {
        ferry.client().validate(task);
    }

    private <T> T withClient(Function<Client, T> call) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return call.apply(ferry.client());
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            boolean inTransaction;
            try {
                inTransaction = !connection.getAutoCommit();
            } catch (SQLException e) {
                throw new BrokerException("enqueue: cannot read the transaction's connection: " + e.getMessage(), true, e);
            }
            return call.apply(inTransaction ? TransactionalEnqueue.client(ferry, connection) : ferry.client());
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    @Override
    public String toString() {
        return "SpringTransactionalClient[" + ferry.broker() + "]";
    }
}
