package dev.ferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Brokers;
import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import dev.ferry.postgres.internal.PgUrl;
import dev.ferry.spi.Broker;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URLs, options and bad input at the door, and opening through {@code Brokers.open}. */
class PostgresBrokerProviderTest {

    @Test
    void aLibpqUrlBecomesAJdbcUrlWithCredentialsApartAndFerryParametersTakenOut() {
        PgUrl u = PgUrl.parse("postgresql://app%40corp:p%3Ass%2Fw@db.internal:6543/orders?schema=jobs&sslmode=require"
                + "&notify=false&ApplicationName=billing");

        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/orders?sslmode=require&ApplicationName=billing");
        assertThat(u.user()).isEqualTo("app@corp");
        assertThat(u.password()).isEqualTo("p:ss/w");
        assertThat(u.ferry()).containsOnly(Map.entry("schema", "jobs"), Map.entry("notify", "false"));
        assertThat(u.display()).doesNotContain("p:ss").contains("db.internal:6543/orders");
    }

    @Test
    void bothSchemesHostsPortsAndIpv6AreAccepted() {
        assertThat(PgUrl.parse("postgres://localhost/app").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/app");
        assertThat(PgUrl.parse("postgresql://u@[::1]:5432/app").jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/app");
        assertThat(PgUrl.parse("postgresql://h1:5432,h2:5433/app").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/app");
        assertThat(PgUrl.parse("postgresql:///app").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/app");
        assertThat(PgUrl.parse("jdbc:postgresql://h/app?sslmode=disable").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h/app?sslmode=disable");
        assertThat(PgUrl.parse("postgresql://u@h/app").user()).isEqualTo("u");
        assertThat(PgUrl.parse("postgresql://u@h/app").password()).isNull();
    }

    @Test
    void malformedUrlsAndUnknownParametersAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> PgUrl.parse("mysql://h/db")).hasMessageContaining("not a PostgreSQL URL");
        assertThatThrownBy(() -> PgUrl.parse("postgresql://h:99999/db")).hasMessageContaining("port 99999");
        assertThatThrownBy(() -> PgUrl.parse("postgresql://h:abc/db")).hasMessageContaining("port 'abc'");
        assertThatThrownBy(() -> PgUrl.parse("postgresql://h/db?shema=x")).hasMessageContaining("unknown parameter 'shema'");
        assertThatThrownBy(() -> PgUrl.parse("postgresql://h/db?password=x")).hasMessageContaining("before the host");
        assertThatThrownBy(() -> PgUrl.parse("postgresql://u:secret@h/db?bogus=1"))
                .hasMessageNotContaining("secret").hasMessageContaining("***");
        assertThatThrownBy(() -> PgUrl.parse("postgresql://[::1/db")).hasMessageContaining("unclosed");
    }

    @Test
    void badOptionValuesAreRefusedBeforeConnecting() {
        String base = "postgresql://nobody@127.0.0.1:1/none";
        assertThatThrownBy(() -> PostgresBrokerProvider.builder(base + "?schema=Bad-Name", Map.of()))
                .hasMessageContaining("schema").hasMessageContaining("Bad-Name");
        assertThatThrownBy(() -> PostgresBrokerProvider.builder(base + "?notify=maybe", Map.of()))
                .hasMessageContaining("notify").hasMessageContaining("maybe");
        assertThatThrownBy(() -> PostgresBrokerProvider.builder(base + "?maxConnections=0", Map.of()))
                .hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> PostgresBrokerProvider.builder(base + "?connectTimeout=soon", Map.of()))
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> PostgresBrokerProvider.builder(base, Map.of("pollInterval", "1s")))
                .hasMessageContaining("unknown option 'pollInterval'");
        assertThatThrownBy(() -> PostgresBroker.builder().build()).hasMessageContaining("url or dataSource is required");
        assertThatThrownBy(() -> PostgresBroker.builder().url(base).dataSource(new org.postgresql.ds.PGSimpleDataSource())
                .build()).hasMessageContaining("not both");
        assertThatThrownBy(() -> PostgresBroker.builder().dataSource(new org.postgresql.ds.PGSimpleDataSource())
                .maxConnections(3).build()).hasMessageContaining("size that data source instead");
    }

    @Test
    void brokersOpenFindsThisBackendForBothSchemesAndReportsBadUrlsAsBadInput() {
        String schema = TestDatabase.newSchema("provider");
        String url = TestDatabase.url().replaceFirst("^postgresql", "postgres") + "?schema=" + schema;
        try (Broker broker = Brokers.open(url, Map.of("maxConnections", "2")); Ferry ferry = Ferry.builder().broker(broker).build()) {
            assertThat(broker).isInstanceOf(PostgresBroker.class);
            assertThat(((PostgresBroker) broker).schema()).isEqualTo(schema);
            assertThat(broker.capabilities().name()).isEqualTo("postgres");
            assertThat(broker.capabilities().transactionalEnqueue()).isTrue();
            assertThat(ferry.client().enqueue(Task.ofJson("t.x", "{}")).status()).isEqualTo(EnqueueResult.Status.CREATED);
        } finally {
            TestDatabase.dropSchema(schema);
        }
        assertThatThrownBy(() -> Brokers.open("postgresql://h/db?nope=1"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown parameter 'nope'");
    }
}
