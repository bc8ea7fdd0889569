package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BenchTest {
    private static final List<String> REQUIRED = List.of("enqueue_per_s", "enqueue_batch_per_s", "drain_per_s",
            "latency_p50_ms", "latency_p99_ms", "latency_max_ms", "tasks", "concurrency", "producers", "broker",
            "backend", "heap_empty_mb");

    @Test
    void tinyRunGivesPositiveFiniteFiguresAndValidJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out/report.json");
        BenchOptions options = BenchOptions.defaults()
                .withBrokerUrl("sqlite:" + dir.resolve("bench.db"))
                .withTasks(200)
                .withConcurrency(4)
                .withProducers(2)
                .withJsonOut(json);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        BenchReport report = Bench.run(options, new PrintStream(progress, true, StandardCharsets.UTF_8));

        for (double v : new double[] {report.enqueuePerS(), report.enqueueBatchPerS(), report.drainPerS(),
                report.latencyP50Ms(), report.latencyP99Ms(), report.latencyMaxMs(), report.heapEmptyMb()}) {
            assertThat(v).isFinite().isPositive();
        }
        assertThat(report.latencyP50Ms()).isLessThanOrEqualTo(report.latencyP99Ms());
        assertThat(report.latencyP99Ms()).isLessThanOrEqualTo(report.latencyMaxMs());
        assertThat(report.latencySamples()).isEqualTo(200);
        assertThat(report.depthRan()).isFalse();
        assertThat(report.backend()).isEqualTo("embedded");

        JsonNode node = new JsonMapper().readTree(report.toJson());
        assertThat(node.isObject()).isTrue();
        for (String field : REQUIRED) {
            assertThat(node.has(field)).as(field).isTrue();
        }
        assertThat(node.get("tasks").asInt()).isEqualTo(200);
        assertThat(node.get("concurrency").asInt()).isEqualTo(4);
        assertThat(node.get("producers").asInt()).isEqualTo(2);
        assertThat(node.get("backend").asString()).isEqualTo("embedded");
        assertThat(node.get("drain_per_s").asDouble()).isPositive();
        assertThat(node.has("depth_drain_per_s")).isFalse();

        assertThat(new JsonMapper().readTree(Files.readString(json))).isEqualTo(node);
        assertThat(report.toTable()).contains("drain", "enqueue", "p99");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[1/4]", "[2/4]", "[3/4]", "[4/4]");
    }

    @Test
    void depthRunWithSmallDepthReportsTheDepthFigures(@TempDir Path dir) throws Exception {
        BenchOptions options = BenchOptions.defaults()
                .withBrokerUrl("sqlite:" + dir.resolve("depth.db"))
                .withTasks(100)
                .withConcurrency(4)
                .withProducers(2)
                .withDepth(true);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        BenchReport report = Bench.run(options, new PrintStream(progress, true, StandardCharsets.UTF_8), 2_500, 1_500);

        assertThat(report.depthRan()).isTrue();
        assertThat(report.depthPending()).isEqualTo(2_500);
        assertThat(report.depthFinished()).isEqualTo(1_500);
        for (double v : new double[] {report.depthDrainPerS(), report.depthRatio(), report.heapDepthMb()}) {
            assertThat(v).isFinite().isPositive();
        }
        JsonNode node = new JsonMapper().readTree(report.toJson());
        for (String field : List.of("depth_drain_per_s", "depth_ratio", "heap_empty_mb", "heap_depth_mb")) {
            assertThat(node.get(field).isNumber()).as(field).isTrue();
        }
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[5/5]");
    }

    @Test
    void delayedDepthPutsScheduledTasksInTheDrainedQueuesAndStillDrainsOnlyTheReadyOnes(@TempDir Path dir)
            throws Exception {
        BenchOptions options = BenchOptions.defaults()
                .withBrokerUrl("sqlite:" + dir.resolve("delayed.db"))
                .withTasks(100)
                .withConcurrency(4)
                .withProducers(2)
                .withDepth(true)
                .withDepthDelayed(true);

        BenchReport report = Bench.run(options, null, 1_200, 300);

        assertThat(report.depthRan()).isTrue();
        assertThat(report.depthDelayed()).isTrue();
        assertThat(report.depthPending()).isEqualTo(1_200);
        assertThat(report.depthFinished()).isEqualTo(300);
        assertThat(report.depthDrainPerS()).isFinite().isPositive();
        JsonNode node = new JsonMapper().readTree(report.toJson());
        assertThat(node.get("depth_scheduled").asLong()).isEqualTo(1_200);
        assertThat(node.has("depth_pending")).isFalse();
        assertThat(report.toTable()).contains("delayed in the drained queues");
    }

    @Test
    void jsonHasTheDepthFieldsWhenDepthRanAndEscapesStrings() throws Exception {
        BenchReport report = new BenchReport("sqlite:/tmp/a \"b\"\\c.db", "embedded", 10, 2, 1, 1.5, 2.5, 3.5,
                0.25, 0.75, 1.25, 10, 12.5, 3.0, 0.857, 13.0, 1_000_000, 1_000_000, "25", 2, false);
        JsonNode node = new JsonMapper().readTree(report.toJson());
        assertThat(node.get("broker").asString()).isEqualTo("sqlite:/tmp/a \"b\"\\c.db");
        for (String field : List.of("depth_drain_per_s", "depth_ratio", "heap_empty_mb", "heap_depth_mb")) {
            assertThat(node.get(field).isNumber()).as(field).isTrue();
        }
        assertThat(report.toTable()).contains("depth");
    }

    @Test
    void optionsAreCheckedAndNameTheField() {
        BenchOptions d = BenchOptions.defaults();
        assertThat(d.tasks()).isEqualTo(100_000);
        assertThat(d.concurrency()).isEqualTo(64);
        assertThat(d.producers()).isEqualTo(8);
        assertThat(d.depth()).isFalse();
        assertThat(d.jsonOut()).isNull();
        assertThat(d.brokerUrl()).startsWith("sqlite:");
        assertThat(BenchOptions.defaults().brokerUrl()).isNotEqualTo(d.brokerUrl());

        for (Map.Entry<String, Runnable> bad : Map.<String, Runnable>of(
                "tasks", () -> d.withTasks(0),
                "concurrency", () -> d.withConcurrency(0),
                "producers", () -> d.withProducers(-1),
                "brokerUrl", () -> d.withBrokerUrl(" ")).entrySet()) {
            assertThatThrownBy(bad.getValue()::run)
                    .isInstanceOf(InvalidInputException.class)
                    .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo(bad.getKey()));
        }
        assertThat(d.withTasks(5).withDepth(true).tasks()).isEqualTo(5);
        assertThat(d.depthDelayed()).isFalse();
        assertThat(d.withDepthDelayed(true).withTasks(7).depthDelayed()).isTrue();
    }
}
