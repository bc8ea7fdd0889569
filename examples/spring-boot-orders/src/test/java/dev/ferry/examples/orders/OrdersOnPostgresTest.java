package dev.ferry.examples.orders;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same scenarios with the {@code postgres} profile: orders and Ferry's tables in PostgreSQL
 * (127.0.0.1:5432, database {@code test}), in schemas of this test's own that are dropped when its
 * application stops. Placing an order and enqueueing its steps is then one transaction.
 */
@ActiveProfiles("postgres")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OrdersOnPostgresTest extends OrdersScenarios {
    static final String JDBC_URL = System.getenv().getOrDefault("FERRY_PG_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getenv().getOrDefault("FERRY_PG_USER", "postgres");
    static final String SCHEMA = "orders_ex_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) throws SQLException {
        sql("CREATE SCHEMA " + SCHEMA);
        registry.add("spring.datasource.url", () -> JDBC_URL + "?currentSchema=" + SCHEMA);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("ferry.broker.url", () -> "postgresql");
        registry.add("ferry.broker.options.schema", () -> SCHEMA + "_ferry");
    }

    @Override
    String expectedBackend() {
        return "postgres";
    }

    /** Drops the schemas when the application stops: after the worker, before the DataSource closes. */
    @TestConfiguration
    static class DropSchemas {
        @Bean(destroyMethod = "drop")
        SchemaDropper schemaDropper(DataSource dataSource) {
            return new SchemaDropper(dataSource);
        }
    }

    record SchemaDropper(DataSource dataSource) {
        void drop() throws SQLException {
            sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "DROP SCHEMA IF EXISTS " + SCHEMA + "_ferry CASCADE");
        }
    }

    static void sql(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC_URL, USER, null); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
