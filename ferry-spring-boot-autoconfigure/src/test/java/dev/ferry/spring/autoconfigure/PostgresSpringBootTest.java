package dev.ferry.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.Inspector;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.postgres.PostgresBroker;
import dev.ferry.spring.autoconfigure.Greetings.Greet;
import dev.ferry.spring.autoconfigure.Greetings.Greeting;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * A Spring Boot application on PostgreSQL (127.0.0.1:5432, database {@code test}) through its own
 * DataSource: {@code ferry.broker.url=postgresql}. Ferry's tables and the application's table live
 * in schemas of this test's own, dropped afterwards.
 */
class PostgresSpringBootTest {
    static final String JDBC_URL = System.getenv().getOrDefault("FERRY_PG_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getenv().getOrDefault("FERRY_PG_USER", "postgres");

    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String ferrySchema = "sbt_ferry_" + suffix;
    private final String appSchema = "sbt_app_" + suffix;

    /** Places orders: the order row and its task commit together, or neither does. */
    static class OrderService {
        private final JdbcTemplate jdbc;
        private final Client client;
        private final String table;

        OrderService(JdbcTemplate jdbc, Client client, String table) {
            this.jdbc = jdbc;
            this.client = client;
            this.table = table;
        }

        @Transactional
        public String place(String orderId, boolean failAfterEnqueue) {
            jdbc.update("INSERT INTO " + table + " (id) VALUES (?)", orderId);
            String id = client.enqueue(Task.of("greet", new Greet(orderId)).id("greet-" + orderId)).id();
            if (failAfterEnqueue) {
                throw new IllegalStateException("payment refused: roll back");
            }
            return id;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Greetings.Handlers.class)
    static class App {
        /** Tracing on: the transaction's client must run the same enqueue interceptors as ferry.client(). */
        @Bean
        io.opentelemetry.api.OpenTelemetry openTelemetry() {
            return io.opentelemetry.sdk.OpenTelemetrySdk.builder()
                    .setTracerProvider(io.opentelemetry.sdk.trace.SdkTracerProvider.builder().build())
                    .setPropagators(io.opentelemetry.context.propagation.ContextPropagators.create(
                            io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance()))
                    .build();
        }

        @Bean
        OrderService orderService(JdbcTemplate jdbc, Client client, org.springframework.core.env.Environment env) {
            return new OrderService(jdbc, client, env.getRequiredProperty("test.orders-table"));
        }
    }

    @BeforeEach
    void createAppTable() throws SQLException {
        sql("CREATE SCHEMA " + appSchema, "CREATE TABLE " + appSchema + ".orders (id text PRIMARY KEY)");
    }

    @AfterEach
    void dropSchemas() throws SQLException {
        sql("DROP SCHEMA IF EXISTS " + appSchema + " CASCADE", "DROP SCHEMA IF EXISTS " + ferrySchema + " CASCADE");
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(
                "spring.datasource.url=" + JDBC_URL,
                "spring.datasource.username=" + USER,
                "spring.datasource.hikari.maximum-pool-size=6",
                "ferry.broker.url=postgresql",
                "ferry.broker.options.schema=" + ferrySchema,
                "test.orders-table=" + appSchema + ".orders").run();
    }

    @Test
    void runsHandlersOnTheApplicationsDataSourceAndShutsDownCleanly() {
        String id;
        try (ConfigurableApplicationContext ctx = start()) {
            Ferry ferry = ctx.getBean(Ferry.class);
            assertThat(ferry.broker()).isInstanceOf(PostgresBroker.class);
            assertThat(((PostgresBroker) ferry.broker()).schema()).isEqualTo(ferrySchema);
            Inspector inspector = ctx.getBean(Inspector.class);

            // outside a transaction the client enqueues on its own
            id = ctx.getBean(Client.class).enqueue(Task.of("greet", new Greet("pg"))).id();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(inspector, id) == TaskState.COMPLETED);
            assertThat(inspector.result(id, Greeting.class)).contains(new Greeting("hello pg", 1));
        }
        // closed cleanly: the worker unregistered and nothing is left running
        try (PostgresBroker broker = PostgresBroker.builder().url(JDBC_URL.substring("jdbc:".length())).user(USER)
                .schema(ferrySchema).build();
             Ferry ferry = Ferry.builder().broker(broker).build()) {
            assertThat(ferry.inspector().workers()).isEmpty();
            assertThat(ferry.inspector().task(id)).map(TaskInfo::state).contains(TaskState.COMPLETED);
            assertThat(ferry.inspector().queue("default").count(TaskState.ACTIVE)).isZero();
        }
    }

    @Test
    void aRolledBackEnqueueNeverRunsAndACommittedOneRuns() {
        try (ConfigurableApplicationContext ctx = start()) {
            OrderService orders = ctx.getBean(OrderService.class);
            Inspector inspector = ctx.getBean(Inspector.class);
            Greetings.Handlers handlers = ctx.getBean(Greetings.Handlers.class);
            JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);

            assertThatThrownBy(() -> orders.place("rolled-back", true)).hasMessageContaining("roll back");
            String committed = orders.place("committed", false);

            await().atMost(Duration.ofSeconds(30)).until(() -> state(inspector, committed) == TaskState.COMPLETED);
            assertThat(handlers.greeted).containsExactly("committed");
            // enqueued with the transaction's connection, and still traced
            assertThat(inspector.task(committed).orElseThrow().headers()).containsKey("traceparent");
            // the rolled-back enqueue left no task, so nothing can ever run it; its order row is gone too
            assertThat(inspector.task("greet-rolled-back")).isEmpty();
            assertThat(jdbc.queryForList("SELECT id FROM " + appSchema + ".orders", String.class)).containsExactly("committed");
        }
    }

    private static TaskState state(Inspector inspector, String id) {
        return inspector.task(id).map(TaskInfo::state).orElse(null);
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC_URL, USER, null); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
