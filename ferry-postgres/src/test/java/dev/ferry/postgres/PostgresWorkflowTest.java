package dev.ferry.postgres;

import dev.ferry.spi.Broker;
import dev.ferry.testing.WorkflowContract;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;

/** Workflows on the PostgreSQL broker, each test in a fresh schema (dropped after the class). */
class PostgresWorkflowTest extends WorkflowContract {
    private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

    @Override
    protected Broker newBroker() {
        String schema = TestDatabase.newSchema("workflow");
        SCHEMAS.add(schema);
        return TestDatabase.broker(schema).build();
    }

    @AfterAll
    static void dropSchemas() {
        SCHEMAS.forEach(TestDatabase::dropSchema);
        SCHEMAS.clear();
    }
}
