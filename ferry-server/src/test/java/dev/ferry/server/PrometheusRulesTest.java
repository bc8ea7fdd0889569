package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code deploy/prometheus-rules.yaml} is a well-formed PrometheusRule, carries the task-queue
 * guide's alerts, and every metric, label value and recording rule its expressions name exists —
 * checked against a real scrape after real tasks ran.
 */
class PrometheusRulesTest {
    static final Path FILE = Path.of(System.getProperty("ferry.root", ".."), "deploy", "prometheus-rules.yaml");
    static final Pattern DURATION = Pattern.compile("(\\d+(ms|s|m|h|d|w|y))+");
    static final Pattern METRIC = Pattern.compile("(?<![\\w:])(ferry_[a-z0-9_]+)");
    static final Pattern RECORDED = Pattern.compile("(?<![\\w:])(ferry:[a-z0-9_:]+)");
    static final Pattern SELECTOR = Pattern.compile("(ferry_[a-z0-9_]+)\\{([^}]*)}");
    static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");

    @TempDir
    static Path dir;
    static TestServer s;
    static String scrape;
    static JsonNode doc;

    @BeforeAll
    static void load() throws Exception {
        doc = new YAMLMapper().readTree(FILE.toFile());
        s = TestServer.start(dir);
        scrape = MetricsTest.runTasksAndScrape(s);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static List<JsonNode> rules() {
        List<JsonNode> out = new ArrayList<>();
        doc.get("spec").get("groups").forEach(g -> g.get("rules").forEach(out::add));
        return out;
    }

    @Test
    void isAPrometheusRule() {
        assertThat(doc.get("apiVersion").stringValue()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(doc.get("kind").stringValue()).isEqualTo("PrometheusRule");
        assertThat(doc.get("metadata").get("name").stringValue()).isNotBlank();
        Set<String> groups = new HashSet<>();
        for (JsonNode g : doc.get("spec").get("groups")) {
            assertThat(groups.add(g.get("name").stringValue())).as("group names are unique").isTrue();
            assertThat(g.get("rules").size()).isPositive();
            if (g.has("interval")) {
                assertThat(g.get("interval").stringValue()).matches(DURATION);
            }
        }
        Set<String> alerts = new HashSet<>();
        for (JsonNode r : rules()) {
            assertThat(r.has("alert") ^ r.has("record")).as("a rule is an alert or a recording rule: " + r).isTrue();
            assertThat(r.get("expr").stringValue()).isNotBlank();
            if (r.has("alert")) {
                assertThat(alerts.add(r.get("alert").stringValue())).as("alert names are unique").isTrue();
                assertThat(r.get("for").stringValue()).matches(DURATION);
                assertThat(r.get("labels").get("severity").stringValue()).isIn("critical", "warning", "info");
                assertThat(r.get("annotations").get("summary").stringValue()).isNotBlank();
                assertThat(r.get("annotations").get("description").stringValue()).isNotBlank();
            } else {
                assertThat(r.get("record").stringValue()).matches("ferry:[a-z0-9_:]+");
            }
        }
    }

    @Test
    void carriesTheGuidesAlerts() {
        Set<String> alerts = new HashSet<>();
        for (JsonNode r : rules()) {
            if (r.has("alert")) {
                alerts.add(r.get("alert").stringValue());
            }
        }
        // the monitoring section: depth over 5x normal, failure rate over 5 %, DLQ not empty, latency SLO
        assertThat(alerts).contains("FerryQueueDepthHigh", "FerryTaskFailureRateHigh", "FerryDeadLetterQueueNotEmpty", "FerryProcessingLatencySLO");
        assertThat(expr("FerryTaskFailureRateHigh")).contains("0.05");
        assertThat(recordingExpr("ferry:task_failure_ratio:rate5m")).contains("ferry_tasks_failed_total").contains("ferry_tasks_processed_total");
        assertThat(expr("FerryQueueDepthHigh")).contains("5 *");
        assertThat(expr("FerryDeadLetterQueueNotEmpty")).contains("ferry_dead_set_size").contains("> 0");
        assertThat(expr("FerryProcessingLatencySLO")).contains("histogram_quantile(0.95").contains("ferry_task_processing_seconds_bucket");
    }

    @Test
    void everyMetricAndLabelValueInTheExpressionsExists() {
        Set<String> recorded = new HashSet<>();
        rules().stream().filter(r -> r.has("record")).forEach(r -> recorded.add(r.get("record").stringValue()));
        for (JsonNode r : rules()) {
            String expr = r.get("expr").stringValue();
            String name = r.has("alert") ? r.get("alert").stringValue() : r.get("record").stringValue();
            assertThat(balanced(expr)).as(name + ": balanced brackets in " + expr).isTrue();
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                assertThat(scrape).as(name + " uses " + m.group(1) + ", which /metrics must export")
                        .containsPattern("(?m)^" + Pattern.quote(m.group(1)) + "[{ ]");
            }
            Matcher rec = RECORDED.matcher(expr);
            while (rec.find()) {
                assertThat(recorded).as(name + " uses recording rule " + rec.group(1)).contains(rec.group(1));
            }
            Matcher sel = SELECTOR.matcher(expr);
            while (sel.find()) {
                Matcher lm = MATCHER.matcher(sel.group(2));
                while (lm.find()) {
                    List<String> values = lm.group(2).equals("=~") ? List.of(lm.group(3).split("\\|")) : List.of(lm.group(3));
                    for (String v : values) {
                        assertThat(scrape).as(name + ": some " + sel.group(1) + " series has " + lm.group(1) + "=\"" + v + "\"")
                                .containsPattern("(?m)^" + Pattern.quote(sel.group(1)) + "\\{[^}]*\\b" + lm.group(1) + "=\"" + Pattern.quote(v) + "\"");
                    }
                }
            }
        }
    }

    private static String expr(String alert) {
        return rules().stream().filter(r -> r.has("alert") && r.get("alert").stringValue().equals(alert))
                .findFirst().orElseThrow().get("expr").stringValue();
    }

    private static String recordingExpr(String record) {
        return rules().stream().filter(r -> r.has("record") && r.get("record").stringValue().equals(record))
                .findFirst().orElseThrow().get("expr").stringValue();
    }

    private static boolean balanced(String expr) {
        java.util.ArrayDeque<Character> stack = new java.util.ArrayDeque<>();
        boolean quoted = false;
        for (char c : expr.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '(' || c == '[' || c == '{')) {
                stack.push(c);
            } else if (!quoted && (c == ')' || c == ']' || c == '}')) {
                if (stack.isEmpty()) {
                    return false;
                }
                char open = stack.pop();
                if ((c == ')' && open != '(') || (c == ']' && open != '[') || (c == '}' && open != '{')) {
                    return false;
                }
            }
        }
        return stack.isEmpty() && !quoted;
    }
}
