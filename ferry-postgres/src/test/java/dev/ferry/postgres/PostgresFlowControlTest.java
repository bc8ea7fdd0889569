package dev.ferry.postgres;

import dev.ferry.spi.Broker;
import dev.ferry.testing.FlowControlContract;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;

/** Flow control and the explainer on PostgreSQL, a schema per test. */
class PostgresFlowControlTest extends FlowControlContract {
    private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

    @Override
    protected Broker newBroker() {
        String schema = TestDatabase.newSchema("flow");
        SCHEMAS.add(schema);
        return TestDatabase.broker(schema).build();
    }

    @AfterAll
    static void dropSchemas() {
        SCHEMAS.forEach(TestDatabase::dropSchema);
        SCHEMAS.clear();
    }
}
