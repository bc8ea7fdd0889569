package dev.ferry.postgres.crash;

import dev.ferry.postgres.TestDatabase;
import dev.ferry.testing.crash.SigtermDrainContract;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Worker JVMs on one PostgreSQL schema, one sent SIGTERM during work. Isolated: the contract checks that no
 * live worker ever loses a lease, which other test classes loading the two cores could cause.
 */
@Isolated("asserts that live workers never miss a lease renewal")
class PostgresSigtermDrainTest extends SigtermDrainContract {
    private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

    @Override
    protected String brokerUrl(Path dir) {
        String schema = TestDatabase.newSchema("sigterm");
        SCHEMAS.add(schema);
        return TestDatabase.url() + "?schema=" + schema;
    }

    /** After the contract's own cleanup killed the children. */
    @AfterAll
    static void dropSchemas() {
        SCHEMAS.forEach(TestDatabase::dropSchema);
        SCHEMAS.clear();
    }
}
