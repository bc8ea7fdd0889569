package dev.ferry.postgres;

import dev.ferry.spi.Broker;
import dev.ferry.testing.WorkerContract;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;

/**
 * The worker runtime's promises on the PostgreSQL broker, on the database's clock, each test in
 * a fresh schema. Schemas are dropped after the class: the contract closes its broker in its own
 * {@code @AfterEach}, which runs after any of this class's.
 */
class PostgresWorkerTest extends WorkerContract {
    private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

    @Override
    protected Broker newBroker() {
        String schema = TestDatabase.newSchema("worker");
        SCHEMAS.add(schema);
        return TestDatabase.broker(schema).build();
    }

    @AfterAll
    static void dropSchemas() {
        SCHEMAS.forEach(TestDatabase::dropSchema);
        SCHEMAS.clear();
    }
}
