package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard parses, is laid out sanely, covers what an operator watches, and, like the
 * Prometheus rules, uses only metric names docs/metrics.md documents. (ferry-server's
 * PrometheusRulesTest checks the rules against a live scrape as well.)
 */
class DashboardAndRulesTest {
    static final JsonNode DASHBOARD = new JsonMapper().readTree(Repo.DEPLOY.resolve("grafana/ferry-dashboard.json").toFile());

    static List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : DASHBOARD.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add); // panels inside collapsed rows
        }
        return out;
    }

    static List<String> expressions() {
        List<String> out = new ArrayList<>();
        for (JsonNode p : panels()) {
            p.path("targets").forEach(t -> out.add(t.path("expr").asString("")));
        }
        return out;
    }

    @Test
    void theDashboardIsAGrafanaDashboardOnAPrometheusDataSourceVariable() {
        assertThat(DASHBOARD.path("title").asString()).isNotBlank();
        assertThat(DASHBOARD.path("uid").asString()).matches("[a-zA-Z0-9_-]{1,40}");
        assertThat(DASHBOARD.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        List<String> variables = DASHBOARD.path("templating").path("list").findValuesAsString("name");
        assertThat(variables).contains("datasource", "queue");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : panels()) {
            assertThat(ids.add(p.path("id").asInt())).as("panel ids are unique: " + p.path("title")).isTrue();
            assertThat(p.path("title").asString()).isNotBlank();
            JsonNode grid = p.path("gridPos");
            assertThat(grid.path("w").asInt()).isBetween(1, 24);
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(p.path("title") + " fits the 24-column grid").isLessThanOrEqualTo(24);
            if (!p.path("type").asString().equals("row")) {
                assertThat(p.path("datasource").path("uid").asString()).as(p.path("title") + " uses the data source variable").isEqualTo("${datasource}");
                assertThat(p.path("targets").size()).as(p.path("title") + " has queries").isPositive();
                for (JsonNode t : p.path("targets")) {
                    assertThat(t.path("expr").asString()).isNotBlank();
                    assertThat(balanced(t.path("expr").asString())).as("balanced brackets: " + t.path("expr")).isTrue();
                }
            }
        }
    }

    @Test
    void theDashboardShowsWhatAnOperatorWatches() {
        String all = String.join("\n", expressions());
        assertThat(all).as("queue depth").contains("ferry_queue_depth")
                .as("throughput").contains("ferry_tasks_processed_total")
                .as("latency").contains("ferry_task_processing_seconds_bucket")
                .as("failure rate").contains("ferry_tasks_failed_total")
                .as("dead set").contains("ferry_dead_set_size")
                .as("worker utilisation").contains("ferry_worker_busy_slots").contains("ferry_worker_slots")
                .as("oldest pending age").contains("ferry_queue_oldest_pending_age_seconds");
    }

    @Test
    void theDashboardUsesOnlyDocumentedMetrics() {
        Set<String> documented = Repo.documentedMetrics();
        Set<String> used = new LinkedHashSet<>();
        expressions().forEach(e -> used.addAll(Repo.metricsIn(e)));
        assertThat(used).isNotEmpty();
        assertThat(documented).as("metric names of deploy/grafana/ferry-dashboard.json, all in docs/metrics.md").containsAll(used);
    }

    @Test
    void theAlertRulesUseOnlyDocumentedMetrics() {
        Set<String> documented = Repo.documentedMetrics();
        Set<String> used = new LinkedHashSet<>();
        for (var doc : Kustomize.readAll(Repo.DEPLOY.resolve("prometheus-rules.yaml"))) {
            for (JsonNode g : doc.path("spec").path("groups")) {
                g.path("rules").forEach(r -> used.addAll(Repo.metricsIn(r.path("expr").asString())));
            }
        }
        assertThat(used).isNotEmpty();
        assertThat(documented).as("metric names of deploy/prometheus-rules.yaml, all in docs/metrics.md").containsAll(used);
    }

    @Test
    void theMetricNameReaderSeesHistogramSeriesAndNotLabelValues() {
        assertThat(Repo.documentedMetrics()).contains("ferry_task_processing_seconds_bucket", "ferry_queue_depth", "ferry_workers");
        assertThat(Repo.metricsIn("sum(rate(ferry_tasks_failed_total{queue=\"ferry_x\"}[5m])) / ferry:queue_backlog"))
                .containsExactly("ferry_tasks_failed_total");
    }

    static boolean balanced(String expr) {
        java.util.ArrayDeque<Character> stack = new java.util.ArrayDeque<>();
        boolean quoted = false;
        for (char c : expr.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && "([{".indexOf(c) >= 0) {
                stack.push(c);
            } else if (!quoted && ")]}".indexOf(c) >= 0) {
                if (stack.isEmpty() || "([{".indexOf(stack.pop()) != ")]}".indexOf(c)) {
                    return false;
                }
            }
        }
        return stack.isEmpty() && !quoted;
    }
}
