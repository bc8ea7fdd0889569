package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Ferry;
import dev.ferry.Task;
import dev.ferry.server.FerryServer;
import dev.ferry.server.Role;
import dev.ferry.server.ServerAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the manifests call on a real {@code ferry-server} with credentials, as in the cluster: the
 * probes' paths answer without credentials, Prometheus' viewer token reads {@code /metrics}, and
 * KEDA's metrics-api URL answers with the {@code ready} field its valueLocation names.
 */
class ServerEndpointsTest {
    static final String OPERATOR = "operator-token-0123456789";
    static final String VIEWER = "viewer-token-0123456789";
    @TempDir
    static Path dir;
    static Ferry ferry;
    static FerryServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        ferry = Ferry.open("sqlite:" + dir.resolve("ferry.db"));
        server = FerryServer.builder(ferry).port(0)
                .auth(ServerAuth.builder().token(OPERATOR, Role.OPERATOR).token(VIEWER, Role.VIEWER).build())
                .build().start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyProbePathAnswersWithoutCredentials() throws Exception {
        Set<String> paths = new LinkedHashSet<>();
        for (String overlay : Repo.OVERLAYS) {
            for (ObjectNode w : OverlaysTest.of(Repo.render(overlay), OverlaysTest.WORKLOADS)) {
                for (ObjectNode c : OverlaysTest.containers(w)) {
                    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                        if (c.has(probe)) {
                            paths.add(c.get(probe).path("httpGet").path("path").asString());
                        }
                    }
                }
            }
        }
        assertThat(paths).containsExactlyInAnyOrder("/healthz", "/readyz");
        for (String path : paths) {
            assertThat(get(path, null).statusCode()).as("GET " + path + " as the kubelet sends it").isEqualTo(200);
        }
        assertThat(get("/api/v1/queues", null).statusCode()).as("everything else needs credentials").isEqualTo(401);
    }

    @Test
    void prometheusScrapesMetricsWithTheViewerToken() throws Exception {
        ObjectNode monitor = Kustomize.render(Repo.DEPLOY.resolve("monitoring")).getFirst();
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertThat(endpoint.path("authorization").path("credentials").path("key").asString()).isEqualTo("viewer-token");
        HttpResponse<String> metrics = get(endpoint.path("path").asString(), VIEWER);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("ferry_workers");
    }

    @Test
    void kedasMetricsApiUrlAnswersWithTheReadyCount() throws Exception {
        ferry.client().enqueueAll(List.of(
                Task.ofJson("deploy.test", "{}").queue("default"),
                Task.ofJson("deploy.test", "{}").queue("default"),
                Task.ofJson("deploy.test", "{}").queue("default"),
                Task.ofJson("deploy.test", "{}").queue("default").delay(java.time.Duration.ofHours(1))));
        JsonNode trigger = null;
        for (ObjectNode so : OverlaysTest.of(Repo.kedaExamples(), Set.of("ScaledObject"))) {
            for (JsonNode t : so.path("spec").path("triggers")) {
                if (t.path("type").asString().equals("metrics-api") && t.path("metadata").path("url").asString().contains("/queues/default/")) {
                    trigger = t.path("metadata");
                }
            }
        }
        assertThat(trigger).as("deploy/keda has a metrics-api trigger for queue default").isNotNull();
        String path = URI.create(trigger.path("url").asString()).getPath();
        HttpResponse<String> response = get(path, VIEWER);
        assertThat(response.statusCode()).as("GET " + path + " with the viewer token: " + response.body()).isEqualTo(200);
        JsonNode body = new JsonMapper().readTree(response.body());
        JsonNode value = body.path(trigger.path("valueLocation").asString());
        assertThat(value.isNumber()).as("valueLocation names a number in " + response.body()).isTrue();
        assertThat(value.asLong()).as("three ready tasks; the delayed one is not ready").isEqualTo(3);
    }
}
