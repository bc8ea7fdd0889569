package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.postgres.PostgresBroker;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.Outcome;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The postgresql scaler's queries of deploy/overlays/postgres, run as KEDA runs them, on the real
 * PostgreSQL (127.0.0.1:5432, database {@code test}) against Ferry's own schema, created by opening
 * a {@link PostgresBroker} on a fresh schema: they count a queue's ready tasks, including delayed
 * and retrying tasks that are already due, and nothing else.
 */
class PostgresScalerQueryTest {
    static final String DB = "127.0.0.1:5432/test";
    static String user;
    static String schema;
    static PostgresBroker broker;
    static Ferry ferry;
    /** queue name to the query KEDA runs for it, from the overlay. */
    static final Map<String, String> QUERIES = new HashMap<>();

    @BeforeAll
    static void open() {
        user = findUser();
        schema = "keda_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        broker = PostgresBroker.builder().url("postgresql://" + user + "@" + DB).schema(schema).build();
        ferry = Ferry.builder().broker(broker).build();
        for (ObjectNode so : OverlaysTest.of(Repo.render("postgres"), Set.of("ScaledObject"))) {
            for (JsonNode t : so.path("spec").path("triggers")) {
                String query = t.path("metadata").path("query").asString();
                String queue = query.replaceAll("(?s).*WHERE queue = '([^']+)'.*", "$1");
                QUERIES.put(queue, query);
            }
        }
    }

    @AfterAll
    static void close() throws SQLException {
        if (ferry != null) {
            ferry.close();
        }
        if (broker != null) {
            broker.close();
        }
        try (Connection c = connect(user); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void theOverlayQueriesCountReadyAndDueTasksOfTheirQueueOnly() throws Exception {
        assertThat(QUERIES).containsOnlyKeys("critical", "default", "low");

        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(Task.ofJson("deploy.test", "{}").queue("default"));
        }
        tasks.add(Task.ofJson("deploy.test", "{}").queue("default").delay(Duration.ofHours(1)));
        tasks.add(Task.ofJson("deploy.test", "{}").queue("default").delay(Duration.ofHours(2)));
        tasks.add(Task.ofJson("deploy.test", "{}").queue("low"));
        ferry.client().enqueueAll(tasks);
        assertThat(count("default")).as("4 pending; the delayed ones are not due").isEqualTo(4);

        // Two claimed: running tasks are not ready. One of them fails and retries at once: ready again.
        List<ClaimedTask> claimed = broker.claim(new ClaimRequest("deploy-test", List.of("default"), 2, Duration.ofMinutes(5))).tasks();
        assertThat(claimed).hasSize(2);
        assertThat(count("default")).isEqualTo(2);
        broker.ack(new AckRequest(List.of(new Ack(claimed.get(1).lease(), new Outcome.Retry(Duration.ZERO, null)))));
        assertThat(count("default")).as("2 pending + 1 retrying and due").isEqualTo(3);

        // A delayed task counts as soon as its run-at passes, whether or not a promoter moved it yet.
        ferry.client().enqueue(Task.ofJson("deploy.test", "{}").queue("default").delay(Duration.ofMillis(300)));
        await().atMost(Duration.ofSeconds(10)).until(() -> count("default") == 4);
        assertThat(count("low")).isEqualTo(1);
        assertThat(count("critical")).isZero();

        broker.admin(new AdminCommand.Pause("default"));
        assertThat(count("default")).as("a paused queue asks for no workers").isZero();
        broker.admin(new AdminCommand.Resume("default"));
        assertThat(count("default")).isEqualTo(4);
    }

    /** Runs the overlay's query for the queue, on the test schema instead of `ferry`. */
    static long count(String queue) throws SQLException {
        String sql = QUERIES.get(queue).replace("ferry.", schema + ".");
        try (Connection c = connect(user); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Connection connect(String u) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + DB + "?connectTimeout=5", u, null);
    }

    /** The CI machines' server trusts local users postgres and root. */
    static String findUser() {
        List<String> errors = new ArrayList<>();
        for (String u : List.of("postgres", "root")) {
            try (Connection c = connect(u)) {
                if (c.isValid(5)) {
                    return u;
                }
            } catch (SQLException e) {
                errors.add(u + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("no PostgreSQL on " + DB + " for users postgres or root: " + errors);
    }
}
