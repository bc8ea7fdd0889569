package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Limit;
import dev.ferry.RawJson;
import dev.ferry.Task;
import dev.ferry.TaskDefaults;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.workflow.Workflow;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The scaling, explainer, cron and workflow routes over real HTTP against a server on the
 * embedded broker (no credentials: loopback; roles and CSRF of the same routes are also covered by
 * {@link SecurityTest}'s enumeration).
 */
class CronExplainWorkflowApiTest {
    @TempDir
    static Path dir;
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.start(dir, TaskDefaults.standard().withMaxPayloadBytes(4096), b -> b.maxRequestBytes(16 * 1024));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    // ------------------------------------------------------------------ scale

    @Test
    void scaleCountsPendingTasksOnly() {
        for (int i = 0; i < 3; i++) {
            s.enqueue("scale-q", "{\"type\":\"t\",\"payload\":{}}");
        }
        s.enqueue("scale-q", "{\"type\":\"t\",\"payload\":{},\"delay\":\"1h\"}");
        HttpResponse<String> r = s.get("/api/v1/queues/scale-q/scale");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = TestServer.json(r);
        assertThat(body.get("queue").stringValue()).isEqualTo("scale-q");
        assertThat(body.get("ready").longValue()).isEqualTo(3);
        assertThat(body.get("oldestPendingAgeSeconds").isNumber()).isTrue();
        assertThat(body.get("oldestPendingAgeSeconds").doubleValue()).isGreaterThanOrEqualTo(0.0);
        assertThat(body.propertyNames()).containsExactly("queue", "ready", "oldestPendingAgeSeconds");

        JsonNode empty = TestServer.json(s.get("/api/v1/queues/scale-never-used/scale"));
        assertThat(empty.get("ready").longValue()).isZero();
        assertThat(empty.get("oldestPendingAgeSeconds").doubleValue()).isZero();

        HttpResponse<String> bad = s.get("/api/v1/queues/bad%20name/scale");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(bad).get("field").stringValue()).isEqualTo("queue");
    }

    // ------------------------------------------------------------------ explain

    @Test
    void explainsADelayedTask() {
        String id = s.enqueue("explain-delayed", "{\"type\":\"t\",\"payload\":{},\"delay\":\"1h\"}");
        HttpResponse<String> r = s.get("/api/v1/tasks/" + id + "/explain");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode e = TestServer.json(r);
        assertThat(e.get("id").stringValue()).isEqualTo(id);
        assertThat(e.get("state").stringValue()).isEqualTo("scheduled");
        assertThat(e.get("reason").stringValue()).isEqualTo("delayed");
        assertThat(e.get("message").stringValue()).contains("delayed until");
        Instant runAt = s.ferry.inspector().task(id).orElseThrow().runAt();
        assertThat(Instant.parse(e.get("until").stringValue())).isEqualTo(runAt);
    }

    @Test
    void explainsAReadyTaskWithoutWorkerAndInAPausedQueue() {
        String id = s.enqueue("explain-idle", "{\"type\":\"t\",\"payload\":{}}");
        JsonNode idle = TestServer.json(s.get("/api/v1/tasks/" + id + "/explain"));
        assertThat(idle.get("state").stringValue()).isEqualTo("pending");
        assertThat(idle.get("reason").stringValue()).isEqualTo("no_worker");
        assertThat(idle.get("message").stringValue()).contains("explain-idle");
        assertThat(idle.get("until").isNull()).isTrue();

        s.ferry.inspector().pause("explain-idle");
        JsonNode paused = TestServer.json(s.get("/api/v1/tasks/" + id + "/explain"));
        assertThat(paused.get("reason").stringValue()).isEqualTo("queue_paused");
        s.ferry.inspector().resume("explain-idle");
    }

    @Test
    void unknownTaskIs404WithTheReasonAndMalformedIdIs400() {
        HttpResponse<String> r = s.get("/api/v1/tasks/nobody-home/explain");
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode e = TestServer.json(r);
        assertThat(e.get("error").stringValue()).isEqualTo("not_found");
        assertThat(e.get("reason").stringValue()).isEqualTo("not_found");
        assertThat(e.get("id").stringValue()).isEqualTo("nobody-home");
        assertThat(e.get("message").stringValue()).contains("nobody-home");

        HttpResponse<String> bad = s.get("/api/v1/tasks/bad%20id/explain");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(bad).get("field").stringValue()).isEqualTo("id");
    }

    /** A rate limit holds the second task: the explainer names it and the LIMITED event is counted. */
    @Test
    void rateLimitedTaskIsExplainedAndCounted() throws Exception {
        Worker w = s.ferry.worker().queues("explain-limited").pollInterval(Duration.ofMillis(50))
                .limit(Limit.rate("explain-limited", 1, Duration.ofHours(1)))
                .listener(s.server.metrics())
                .handle("t", RawJson.class, (p, ctx) -> p)
                .start();
        try {
            String first = s.enqueue("explain-limited", "{\"type\":\"t\",\"payload\":{}}");
            await().atMost(Duration.ofSeconds(20)).until(() -> state(first) == TaskState.COMPLETED);
            String second = s.enqueue("explain-limited", "{\"type\":\"t\",\"payload\":{}}");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode e = TestServer.json(s.get("/api/v1/tasks/" + second + "/explain"));
                assertThat(e.get("reason").stringValue()).isEqualTo("rate_limited");
                assertThat(e.get("until").isString()).isTrue();
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(s.get("/metrics").body())
                    .containsPattern("ferry_tasks_limited_total\\{queue=\"explain-limited\",type=\"t\"} [1-9]"));
        } finally {
            w.close();
        }
        String doc = Files.readString(Path.of(System.getProperty("ferry.root", ".."), "docs", "metrics.md"));
        assertThat(doc).contains("`ferry_tasks_limited_total`");
    }

    private static TaskState state(String id) {
        return s.ferry.inspector().task(id).orElseThrow().state();
    }

    // ------------------------------------------------------------------ cron

    @Test
    void cronScheduleLifecycle() {
        HttpResponse<String> added = s.postJson("/api/v1/cron", """
                {"name": "nightly-report", "schedule": "0 2 * * *", "zone": "Europe/Berlin", "type": "report.nightly",
                 "payload": {"kind": "sales", "n": [1, 2]}, "queue": "low", "priority": 7, "maxAttempts": 4, "timeout": "90s",
                 "misfire": "fire_all", "overlap": "skip-if-running"}
                """);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(added.headers().firstValue("Location")).hasValue("/api/v1/cron/nightly-report");
        JsonNode a = TestServer.json(added);
        assertThat(a.get("name").stringValue()).isEqualTo("nightly-report");
        assertThat(a.get("schedule").stringValue()).isEqualTo("0 2 * * *");
        assertThat(a.get("zone").stringValue()).isEqualTo("Europe/Berlin");
        assertThat(a.get("type").stringValue()).isEqualTo("report.nightly");
        assertThat(a.get("queue").stringValue()).isEqualTo("low");
        assertThat(a.get("payload").toString()).as("the payload as sent").isEqualTo("{\"kind\":\"sales\",\"n\":[1,2]}");
        assertThat(a.get("priority").intValue()).isEqualTo(7);
        assertThat(a.get("maxAttempts").intValue()).isEqualTo(4);
        assertThat(a.get("timeout").stringValue()).isEqualTo("PT1M30S");
        assertThat(a.get("misfire").stringValue()).isEqualTo("fire_all");
        assertThat(a.get("overlap").stringValue()).isEqualTo("skip_if_running");
        assertThat(a.get("source").stringValue()).isEqualTo("store");
        Instant next = Instant.parse(a.get("nextFireTime").stringValue());
        assertThat(next).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofHours(25)));
        // the core stored exactly that
        assertThat(s.ferry.cronSchedules().get("nightly-report").orElseThrow().nextFireTime()).isEqualTo(next);

        JsonNode list = TestServer.json(s.get("/api/v1/cron"));
        assertThat(list.get("schedules").findValuesAsString("name")).contains("nightly-report");
        JsonNode one = TestServer.json(s.get("/api/v1/cron/nightly-report"));
        assertThat(one.get("nextFireTime").stringValue()).isEqualTo(a.get("nextFireTime").stringValue());

        HttpResponse<String> again = s.postJson("/api/v1/cron", "{\"name\":\"nightly-report\",\"schedule\":\"every 5m\",\"type\":\"other\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        JsonNode conflict = TestServer.json(again);
        assertThat(conflict.get("error").stringValue()).isEqualTo("duplicate_name");
        assertThat(conflict.get("message").stringValue()).contains("nightly-report");
        // nothing was replaced
        assertThat(TestServer.json(s.get("/api/v1/cron/nightly-report")).get("type").stringValue()).isEqualTo("report.nightly");

        HttpResponse<String> removed = s.delete("/api/v1/cron/nightly-report");
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(removed).get("removed").booleanValue()).isTrue();
        assertThat(s.delete("/api/v1/cron/nightly-report").statusCode()).isEqualTo(404);
        HttpResponse<String> gone = s.get("/api/v1/cron/nightly-report");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(gone).get("message").stringValue()).contains("nightly-report");
        assertThat(s.ferry.cronSchedules().get("nightly-report")).isEmpty();
    }

    @Test
    void cronDefaultsAreTheServersQueueAndNoPayload() {
        HttpResponse<String> r = s.postJson("/api/v1/cron", "{\"name\":\"every-five\",\"schedule\":\"every 5m\",\"type\":\"ping\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode a = TestServer.json(r);
        assertThat(a.get("queue").stringValue()).isEqualTo("default");
        assertThat(a.get("zone").stringValue()).isEqualTo("UTC");
        assertThat(a.get("payload").toString()).as("an empty object when none is sent").isEqualTo("{}");
        assertThat(a.get("priority").isNull()).isTrue();
        assertThat(a.get("misfire").stringValue()).isEqualTo("fire_once");
        assertThat(a.get("overlap").stringValue()).isEqualTo("allow");
        s.delete("/api/v1/cron/every-five");
    }

    static Stream<Arguments> badCronBodies() {
        return Stream.of(
                Arguments.of("not json", "{\"name\":", "body"),
                Arguments.of("empty body", "", "body"),
                Arguments.of("an array", "[]", "body"),
                Arguments.of("name missing", "{\"schedule\":\"every 5m\",\"type\":\"t\"}", "name"),
                Arguments.of("name with a space", "{\"name\":\"bad name\",\"schedule\":\"every 5m\",\"type\":\"t\"}", "name"),
                Arguments.of("name with markup", "{\"name\":\"<script>\",\"schedule\":\"every 5m\",\"type\":\"t\"}", "name"),
                Arguments.of("schedule missing", "{\"name\":\"c1\",\"type\":\"t\"}", "schedule"),
                Arguments.of("cron minute 61", "{\"name\":\"c1\",\"schedule\":\"61 * * * *\",\"type\":\"t\"}", "schedule"),
                Arguments.of("cron with 3 fields", "{\"name\":\"c1\",\"schedule\":\"* * *\",\"type\":\"t\"}", "schedule"),
                Arguments.of("every too short", "{\"name\":\"c1\",\"schedule\":\"every 0s\",\"type\":\"t\"}", "schedule"),
                Arguments.of("never fires", "{\"name\":\"c1\",\"schedule\":\"0 0 30 2 *\",\"type\":\"t\"}", "schedule"),
                Arguments.of("schedule a number", "{\"name\":\"c1\",\"schedule\":5,\"type\":\"t\"}", "schedule"),
                Arguments.of("unknown zone", "{\"name\":\"c1\",\"schedule\":\"0 9 * * *\",\"zone\":\"Mars/Olympus\",\"type\":\"t\"}", "zone"),
                Arguments.of("type missing", "{\"name\":\"c1\",\"schedule\":\"every 5m\"}", "type"),
                Arguments.of("type with markup", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"<script>\"}", "type"),
                Arguments.of("queue with markup", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"queue\":\"<q>\"}", "queue"),
                Arguments.of("priority too high", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"priority\":101}", "priority"),
                Arguments.of("priority a string", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"priority\":\"high\"}", "priority"),
                Arguments.of("maxAttempts zero", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"maxAttempts\":0}", "maxAttempts"),
                Arguments.of("timeout gibberish", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"timeout\":\"soon\"}", "timeout"),
                Arguments.of("timeout zero", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"timeout\":0}", "timeout"),
                Arguments.of("misfire unknown", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"misfire\":\"never\"}", "misfire"),
                Arguments.of("overlap unknown", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"overlap\":\"sometimes\"}", "overlap"),
                Arguments.of("id is set by ticks", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"id\":\"x\"}", "id"),
                Arguments.of("unknown field", "{\"name\":\"c1\",\"schedule\":\"every 5m\",\"type\":\"t\",\"shedule\":\"x\"}", "shedule"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCronBodies")
    void badCronInputIs400NamingTheField(String what, String body, String field) {
        HttpResponse<String> r = s.postJson("/api/v1/cron", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode e = TestServer.json(r);
        assertThat(e.get("error").stringValue()).isEqualTo("invalid_input");
        assertThat(e.get("field").stringValue()).isEqualTo(field);
        assertThat(e.get("message").stringValue()).startsWith(field + ": ");
        // refused at the door: nothing stored
        assertThat(s.ferry.cronSchedules().get("c1")).isEmpty();
    }

    @Test
    void cronPayloadOverTheLimitIs413() {
        String big = "x".repeat(5000);
        HttpResponse<String> r = s.postJson("/api/v1/cron",
                "{\"name\":\"too-big\",\"schedule\":\"every 5m\",\"type\":\"t\",\"payload\":\"" + big + "\"}");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(TestServer.json(r).get("field").stringValue()).isEqualTo("payload");
        assertThat(s.ferry.cronSchedules().get("too-big")).isEmpty();
    }

    @Test
    void cronMutationsNeedCsrfProof() {
        String body = "{\"name\":\"csrf-cron\",\"schedule\":\"every 5m\",\"type\":\"t\"}";
        // a cross-site form could send text/plain; without a JSON content type or a token it is refused
        HttpResponse<String> plain = s.post("/api/v1/cron", "text/plain", body);
        assertThat(plain.statusCode()).isEqualTo(403);
        assertThat(TestServer.json(plain).get("error").stringValue()).isEqualTo("csrf");
        assertThat(s.postJson("/api/v1/cron", body, "Origin", "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(s.ferry.cronSchedules().get("csrf-cron")).isEmpty();

        assertThat(s.postJson("/api/v1/cron", body).statusCode()).isEqualTo(201);
        HttpResponse<String> delete = s.send(s.request("/api/v1/cron/csrf-cron").DELETE().build());
        assertThat(delete.statusCode()).isEqualTo(403);
        assertThat(s.ferry.cronSchedules().get("csrf-cron")).isPresent();
        assertThat(s.delete("/api/v1/cron/csrf-cron").statusCode()).isEqualTo(200);
    }

    @Test
    void cronListShowsCodeAndStoreSchedulesSortedByName() {
        s.ferry.cronSchedules().add("zz-from-java", "*/15 * * * *", null, Task.ofJson("t", "{\"a\":1}"),
                dev.ferry.MisfirePolicy.SKIP, dev.ferry.OverlapPolicy.ALLOW);
        assertThat(s.postJson("/api/v1/cron", "{\"name\":\"aa-from-http\",\"schedule\":\"@hourly\",\"type\":\"t\"}").statusCode()).isEqualTo(201);
        JsonNode schedules = TestServer.json(s.get("/api/v1/cron")).get("schedules");
        List<String> names = new ArrayList<>(schedules.findValuesAsString("name"));
        assertThat(names).contains("aa-from-http", "zz-from-java");
        assertThat(names).isSorted();
        for (JsonNode x : schedules) {
            assertThat(Instant.parse(x.get("nextFireTime").stringValue())).isAfter(Instant.now().minusSeconds(1));
        }
        s.delete("/api/v1/cron/aa-from-http");
        s.delete("/api/v1/cron/zz-from-java");
    }

    // ------------------------------------------------------------------ workflows

    @Test
    void workflowShowsItsStepsAndDependencies() {
        s.ferry.workflows().start(Workflow.chain(Task.ofJson("wf.validate", "{\"order\":1}").queue("wf-api"),
                Workflow.step("wf.charge")).id("wf-api-1"));
        HttpResponse<String> r = s.get("/api/v1/workflows/wf-api-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode w = TestServer.json(r);
        assertThat(w.get("id").stringValue()).isEqualTo("wf-api-1");
        assertThat(w.get("status").stringValue()).isEqualTo("running");
        assertThat(w.get("policy").stringValue()).isEqualTo("fail_rest");
        JsonNode steps = w.get("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).get("type").stringValue()).isEqualTo("wf.validate");
        assertThat(steps.get(0).get("state").stringValue()).isEqualTo("pending");
        assertThat(steps.get(0).get("dependsOn")).isEmpty();
        assertThat(steps.get(1).get("state").stringValue()).isEqualTo("waiting");
        assertThat(steps.get(1).get("dependsOn").get(0).stringValue()).isEqualTo(steps.get(0).get("name").stringValue());
        assertThat(w.get("result").isNull()).isTrue();
        // the first step's task exists and explains itself; the second is not enqueued yet
        String firstTask = steps.get(0).get("taskId").stringValue();
        assertThat(s.get("/api/v1/tasks/" + firstTask).statusCode()).isEqualTo(200);
        JsonNode waiting = TestServer.json(s.get("/api/v1/tasks/" + steps.get(1).get("taskId").stringValue() + "/explain"));
        assertThat(waiting.get("reason").stringValue()).isEqualTo("waiting_for_parents");

        assertThat(s.get("/api/v1/workflows/no-such-workflow").statusCode()).isEqualTo(404);
        HttpResponse<String> bad = s.get("/api/v1/workflows/bad%20id");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(bad).get("field").stringValue()).isEqualTo("id");
    }
}
