package dev.ferry.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Inspector;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The example end to end over HTTP, run twice: {@link OrdersApplicationTest} on the embedded broker
 * with H2 in memory (the defaults), {@link OrdersOnPostgresTest} on PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "ferry.server.port=0",
    "ferry.retry.base=100ms",
    "orders.demo.crash-after-charge-once=flaky"
})
abstract class OrdersScenarios {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    Inspector inspector;

    @Autowired
    OrderRepository orders;

    @Autowired
    PaymentGateway payments;

    @Autowired
    dev.ferry.Ferry ferry;

    @Test
    void theBrokerIsTheConfiguredOne() {
        assertThat(ferry.broker().capabilities().name()).isEqualTo(expectedBackend());
    }

    /** The broker's backend name this run expects. */
    abstract String expectedBackend();

    @Test
    void anOrderIsChargedReservedAndCompleted() throws Exception {
        JsonNode placed = post("{\"customer\":\"ada\",\"sku\":\"widget\",\"quantity\":2,\"cents\":4200}");
        String id = placed.get("id").asString();
        assertThat(placed.get("status").asString()).isEqualTo("PLACED");

        awaitCompleted(id);
        JsonNode done = get(id);
        assertThat(done.get("charged").asBoolean()).isTrue();
        assertThat(done.get("reserved").asBoolean()).isTrue();
        assertThat(done.get("paymentId").asString()).isEqualTo("pay-" + id + "-4200");
        assertThat(state("finalize-" + id)).isEqualTo(TaskState.COMPLETED);
    }

    @Test
    void aChargeRetriedAfterACrashChargesOnce() throws Exception {
        int before = payments.charges();
        String id = post("{\"customer\":\"flaky\",\"sku\":\"widget\",\"quantity\":1,\"cents\":999}").get("id").asString();

        awaitCompleted(id);
        TaskInfo charge = inspector.task("charge-" + id).orElseThrow();
        // the attempt after the crash ran again (more when the first ran before the order committed)
        assertThat(charge.attempt()).isGreaterThanOrEqualTo(2);
        assertThat(charge.errors()).anySatisfy(e -> assertThat(e.message()).contains("lost the connection after charging"));
        assertThat(payments.charges() - before).isEqualTo(1);
    }

    @Test
    void anOrderWithoutStockEndsInTheDeadSet() throws Exception {
        String id = post("{\"customer\":\"bob\",\"sku\":\"gadget\",\"quantity\":1,\"cents\":100}").get("id").asString();

        await().atMost(Duration.ofSeconds(30)).until(() -> state("inventory-" + id) == TaskState.DEAD);
        assertThat(inspector.task("inventory-" + id).orElseThrow().errors()).last()
                .satisfies(e -> assertThat(e.message()).contains("not enough stock"));
        await().atMost(Duration.ofSeconds(30)).until(() -> state("charge-" + id) == TaskState.COMPLETED);
        assertThat(get(id).get("status").asString()).isEqualTo("PLACED");
        assertThat(inspector.task("finalize-" + id)).isEmpty();
    }

    @Test
    void aBadRequestIsRefused() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"x\",\"sku\":\"widget\",\"quantity\":0,\"cents\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
    }

    /** Waits for the order to complete; on time-out, says where each of its tasks got to. */
    private void awaitCompleted(String id) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> "COMPLETED".equals(get(id).get("status").asString()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder sb = new StringBuilder("order " + id + " " + get(id) + " did not complete; its tasks:");
            for (String step : new String[] {"charge-", "inventory-", "finalize-"}) {
                sb.append("\n  ").append(step).append(id).append(": ").append(inspector.task(step + id)
                        .map(t -> t.state() + " attempt " + t.attempt() + " " + t.errors()).orElse("none"));
            }
            throw new AssertionError(sb.toString(), e);
        }
    }

    private TaskState state(String taskId) {
        return inspector.task(taskId).map(TaskInfo::state).orElse(null);
    }

    private JsonNode post(String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private JsonNode get(String id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/" + id))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
