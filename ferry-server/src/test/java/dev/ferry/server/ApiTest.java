package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.RawJson;
import dev.ferry.TaskDefaults;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** The JSON API over real HTTP against a server on the embedded broker, with no credentials (loopback). */
class ApiTest {
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

    @Test
    void enqueueWithEveryOptionThenGetIt() {
        HttpResponse<String> r = s.postJson("/api/v1/queues/api-all/tasks", """
                {"type": "email.send", "payload": {"to": "a@b.c", "n": [1, 2]}, "priority": 7, "delay": "1h",
                 "maxAttempts": 4, "timeout": "PT45S", "uniqueKey": "mail:1", "uniqueFor": 3600, "id": "mail-1",
                 "retention": "2d", "headers": {"traceparent": "00-abc-def-01"}, "tenant": "acme", "key": "customer-7"}
                """);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/tasks/mail-1");
        assertThat(TestServer.json(r).get("status").stringValue()).isEqualTo("created");

        JsonNode t = TestServer.json(s.get("/api/v1/tasks/mail-1"));
        assertThat(t.get("queue").stringValue()).isEqualTo("api-all");
        assertThat(t.get("type").stringValue()).isEqualTo("email.send");
        assertThat(t.get("state").stringValue()).isEqualTo("scheduled");
        assertThat(t.get("priority").intValue()).isEqualTo(7);
        assertThat(t.get("maxAttempts").intValue()).isEqualTo(4);
        assertThat(t.get("timeout").stringValue()).isEqualTo("PT45S");
        assertThat(t.get("uniqueKey").stringValue()).isEqualTo("mail:1");
        assertThat(t.get("retention").stringValue()).isEqualTo("PT48H");
        assertThat(t.get("payload").get("n").get(1).intValue()).isEqualTo(2);
        assertThat(t.get("headers").get("traceparent").stringValue()).isEqualTo("00-abc-def-01");
        assertThat(t.get("headers").get("ferry-tenant").stringValue()).isEqualTo("acme");
        assertThat(t.get("headers").get("ferry-key").stringValue()).isEqualTo("customer-7");
        Instant runAt = Instant.parse(t.get("runAt").stringValue());
        assertThat(runAt).isAfter(Instant.now().plus(Duration.ofMinutes(50)));
    }

    @Test
    void runAtSchedulesAtThatInstant() {
        Instant at = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        String id = s.enqueue("api-runat", "{\"type\":\"t\",\"payload\":{},\"runAt\":\"" + at + "\"}");
        JsonNode t = TestServer.json(s.get("/api/v1/tasks/" + id));
        assertThat(t.get("state").stringValue()).isEqualTo("scheduled");
        assertThat(Instant.parse(t.get("runAt").stringValue())).isEqualTo(at);
    }

    @Test
    void duplicateIdAndUniqueKeyAre409WithTheExistingId() {
        s.enqueue("api-dup", "{\"type\":\"t\",\"payload\":1,\"id\":\"dup-1\"}");
        HttpResponse<String> again = s.postJson("/api/v1/queues/api-dup/tasks", "{\"type\":\"t\",\"payload\":2,\"id\":\"dup-1\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        JsonNode e = TestServer.json(again);
        assertThat(e.get("error").stringValue()).isEqualTo("duplicate_id");
        assertThat(e.get("id").stringValue()).isEqualTo("dup-1");
        assertThat(e.get("message").stringValue()).contains("dup-1");

        String holder = s.enqueue("api-dup", "{\"type\":\"t\",\"payload\":1,\"uniqueKey\":\"k-1\",\"uniqueFor\":\"1h\"}");
        HttpResponse<String> held = s.postJson("/api/v1/queues/api-dup/tasks", "{\"type\":\"t\",\"payload\":1,\"uniqueKey\":\"k-1\",\"uniqueFor\":\"1h\"}");
        assertThat(held.statusCode()).isEqualTo(409);
        assertThat(TestServer.json(held).get("error").stringValue()).isEqualTo("duplicate_unique_key");
        assertThat(TestServer.json(held).get("id").stringValue()).isEqualTo(holder);
        // nothing was stored by the refused ones
        assertThat(TestServer.json(s.get("/api/v1/queues/api-dup")).get("counts").get("pending").longValue()).isEqualTo(2);
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("not json", "{\"type\":", "body"),
                Arguments.of("empty body", "", "body"),
                Arguments.of("an array", "[1,2]", "body"),
                Arguments.of("type missing", "{\"payload\":{}}", "type"),
                Arguments.of("type not a string", "{\"type\":5,\"payload\":{}}", "type"),
                Arguments.of("type with markup", "{\"type\":\"<script>alert(1)</script>\",\"payload\":{}}", "type"),
                Arguments.of("payload missing", "{\"type\":\"t\"}", "payload"),
                Arguments.of("priority too high", "{\"type\":\"t\",\"payload\":{},\"priority\":101}", "priority"),
                Arguments.of("priority negative", "{\"type\":\"t\",\"payload\":{},\"priority\":-1}", "priority"),
                Arguments.of("priority a string", "{\"type\":\"t\",\"payload\":{},\"priority\":\"high\"}", "priority"),
                Arguments.of("priority a fraction", "{\"type\":\"t\",\"payload\":{},\"priority\":1.5}", "priority"),
                Arguments.of("delay negative", "{\"type\":\"t\",\"payload\":{},\"delay\":\"-5s\"}", "delay"),
                Arguments.of("delay gibberish", "{\"type\":\"t\",\"payload\":{},\"delay\":\"soon\"}", "delay"),
                Arguments.of("delay a boolean", "{\"type\":\"t\",\"payload\":{},\"delay\":true}", "delay"),
                Arguments.of("delay and runAt", "{\"type\":\"t\",\"payload\":{},\"delay\":\"1s\",\"runAt\":\"2030-01-01T00:00:00Z\"}", "delay"),
                Arguments.of("runAt without offset", "{\"type\":\"t\",\"payload\":{},\"runAt\":\"2030-01-01T00:00:00\"}", "runAt"),
                Arguments.of("runAt a number", "{\"type\":\"t\",\"payload\":{},\"runAt\":1700000000}", "runAt"),
                Arguments.of("maxAttempts zero", "{\"type\":\"t\",\"payload\":{},\"maxAttempts\":0}", "maxAttempts"),
                Arguments.of("timeout zero", "{\"type\":\"t\",\"payload\":{},\"timeout\":\"0s\"}", "timeout"),
                Arguments.of("uniqueKey without uniqueFor", "{\"type\":\"t\",\"payload\":{},\"uniqueKey\":\"k\"}", "uniqueFor"),
                Arguments.of("uniqueFor without uniqueKey", "{\"type\":\"t\",\"payload\":{},\"uniqueFor\":\"1h\"}", "uniqueFor"),
                Arguments.of("uniqueKey blank", "{\"type\":\"t\",\"payload\":{},\"uniqueKey\":\" \",\"uniqueFor\":\"1h\"}", "uniqueKey"),
                Arguments.of("id with spaces", "{\"type\":\"t\",\"payload\":{},\"id\":\"a b\"}", "id"),
                Arguments.of("retention negative", "{\"type\":\"t\",\"payload\":{},\"retention\":-1}", "retention"),
                Arguments.of("headers an array", "{\"type\":\"t\",\"payload\":{},\"headers\":[]}", "headers"),
                Arguments.of("header value a number", "{\"type\":\"t\",\"payload\":{},\"headers\":{\"x\":1}}", "headers.x"),
                Arguments.of("tenant blank", "{\"type\":\"t\",\"payload\":{},\"tenant\":\" \"}", "tenant"),
                Arguments.of("tenant a number", "{\"type\":\"t\",\"payload\":{},\"tenant\":7}", "tenant"),
                Arguments.of("tenant header too long", "{\"type\":\"t\",\"payload\":{},\"headers\":{\"ferry-tenant\":\"" + "x".repeat(201) + "\"}}", "tenant"),
                Arguments.of("queue in the body", "{\"type\":\"t\",\"payload\":{},\"queue\":\"other\"}", "queue"),
                Arguments.of("unknown field", "{\"type\":\"t\",\"payload\":{},\"priorty\":1}", "priorty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badInputIs400NamingTheField(String what, String body, String field) {
        HttpResponse<String> r = s.postJson("/api/v1/queues/api-bad/tasks", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        JsonNode e = TestServer.json(r);
        assertThat(e.get("status").intValue()).isEqualTo(400);
        assertThat(e.get("error").stringValue()).isEqualTo("invalid_input");
        assertThat(e.get("field").stringValue()).isEqualTo(field);
        assertThat(e.get("message").stringValue()).startsWith(field + ": ");
        // refused at the door: nothing stored
        assertThat(TestServer.json(s.get("/api/v1/queues/api-bad")).get("depth").longValue()).isZero();
    }

    @Test
    void invalidQueueNameInThePathIs400() {
        HttpResponse<String> r = s.postJson("/api/v1/queues/%3Cscript%3E/tasks", "{\"type\":\"t\",\"payload\":{}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(r).get("field").stringValue()).isEqualTo("queue");
        assertThat(s.get("/api/v1/queues/bad%20name").statusCode()).isEqualTo(400);
    }

    @Test
    void payloadOverTheLimitIs413() {
        String big = "x".repeat(5000);
        HttpResponse<String> r = s.postJson("/api/v1/queues/api-big/tasks", "{\"type\":\"t\",\"payload\":\"" + big + "\"}");
        assertThat(r.statusCode()).isEqualTo(413);
        JsonNode e = TestServer.json(r);
        assertThat(e.get("error").stringValue()).isEqualTo("payload_too_large");
        assertThat(e.get("field").stringValue()).isEqualTo("payload");
        assertThat(e.get("limitBytes").intValue()).isEqualTo(4096);
        assertThat(e.get("message").stringValue()).contains("5002 bytes").contains("4096");
    }

    @Test
    void bodyOverTheRequestLimitIs413BeforeParsing() {
        String huge = "{\"type\":\"t\",\"payload\":\"" + "y".repeat(20_000) + "\"}";
        HttpResponse<String> declared = s.postJson("/api/v1/queues/api-big/tasks", huge);
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(TestServer.json(declared).get("field").stringValue()).isEqualTo("body");

        // a chunked body (no Content-Length) is cut off as soon as it passes the limit
        byte[] bytes = huge.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = s.send(s.request("/api/v1/queues/api-big/tasks", "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))).build());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(TestServer.json(s.get("/api/v1/queues/api-big")).get("depth").longValue()).isZero();
    }

    @Test
    void unknownTaskIs404AndBadIdIs400() {
        HttpResponse<String> r = s.get("/api/v1/tasks/no-such-task");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(r).get("message").stringValue()).contains("no-such-task");
        assertThat(s.postJson("/api/v1/tasks/no-such-task/retry", "").statusCode()).isEqualTo(404);
        assertThat(s.postJson("/api/v1/tasks/no-such-task/cancel", "").statusCode()).isEqualTo(404);
        assertThat(s.delete("/api/v1/tasks/no-such-task").statusCode()).isEqualTo(404);
        HttpResponse<String> bad = s.get("/api/v1/tasks/bad%20id");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(bad).get("field").stringValue()).isEqualTo("id");
    }

    @Test
    void listsTasksByQueueAndStateWithPaging() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(s.enqueue("api-page", "{\"type\":\"t\",\"payload\":{\"i\":" + i + "},\"id\":\"page-" + i + "\"}"));
        }
        List<String> seen = new ArrayList<>();
        int offset = 0;
        boolean more = true;
        int pages = 0;
        while (more) {
            JsonNode page = TestServer.json(s.get("/api/v1/queues/api-page/tasks?state=pending&limit=3&offset=" + offset));
            assertThat(page.get("state").stringValue()).isEqualTo("pending");
            page.get("tasks").forEach(t -> seen.add(t.get("id").stringValue()));
            more = page.get("hasMore").booleanValue();
            offset += 3;
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(ids); // claim order: same priority, FIFO
        JsonNode all = TestServer.json(s.get("/api/v1/tasks?queue=api-page&state=pending"));
        assertThat(all.get("tasks")).hasSize(7);
        assertThat(all.get("tasks").get(0).has("payload")).as("lists carry no payloads").isFalse();
        assertThat(TestServer.json(s.get("/api/v1/queues/api-page/tasks?state=completed")).get("tasks")).isEmpty();
    }

    static Stream<Arguments> badListParams() {
        return Stream.of(
                Arguments.of("state=bogus", "state"),
                Arguments.of("limit=0", "limit"),
                Arguments.of("limit=501", "limit"),
                Arguments.of("limit=abc", "limit"),
                Arguments.of("offset=-1", "offset"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badListParams")
    void badListParametersAre400(String query, String field) {
        HttpResponse<String> r = s.get("/api/v1/queues/api-page/tasks?" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(TestServer.json(r).get("field").stringValue()).isEqualTo(field);
    }

    @Test
    void queueStatsCountByStateAndMeasureThroughput() throws Exception {
        for (int i = 0; i < 3; i++) {
            s.enqueue("api-stats", "{\"type\":\"echo\",\"payload\":{}}");
        }
        s.enqueue("api-stats", "{\"type\":\"echo\",\"payload\":{},\"delay\":\"1h\"}");
        JsonNode q = TestServer.json(s.get("/api/v1/queues/api-stats"));
        assertThat(q.get("counts").get("pending").longValue()).isEqualTo(3);
        assertThat(q.get("counts").get("scheduled").longValue()).isEqualTo(1);
        assertThat(q.get("depth").longValue()).isEqualTo(4);
        assertThat(q.get("oldestPendingAt").isString()).isTrue();
        assertThat(q.get("paused").booleanValue()).isFalse();

        Worker w = s.ferry.worker().queues("api-stats").pollInterval(Duration.ofMillis(50))
                .handle("echo", RawJson.class, (p, ctx) -> p).start();
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode now = TestServer.json(s.get("/api/v1/queues/api-stats"));
                assertThat(now.get("counts").get("completed").longValue()).isEqualTo(3);
                assertThat(now.get("processedTotal").longValue()).isEqualTo(3);
                assertThat(now.get("throughput").get("1m").get("processed").longValue()).isEqualTo(3);
                assertThat(now.get("throughput").get("1m").get("perSecond").doubleValue()).isPositive();
                assertThat(now.get("oldestPendingAt").isNull()).isTrue();
            });
        } finally {
            w.close();
        }
        JsonNode list = TestServer.json(s.get("/api/v1/queues"));
        assertThat(list.findValuesAsString("queue")).contains("api-stats");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode series = TestServer.json(s.get("/api/v1/series?minutes=1"));
            assertThat(series.get("t").size()).isGreaterThan(1);
            JsonNode qs = series.get("queues").get("api-stats");
            assertThat(qs.get("depth").size()).isEqualTo(series.get("t").size());
            assertThat(qs.get("processedPerSecond").size()).isEqualTo(series.get("t").size());
        });
        assertThat(s.get("/api/v1/series?minutes=0").statusCode()).isEqualTo(400);
    }

    @Test
    void retryCancelDeleteFollowTheTaskStates() {
        String id = s.enqueue("api-admin", "{\"type\":\"t\",\"payload\":{}}");
        HttpResponse<String> retryPending = s.postJson("/api/v1/tasks/" + id + "/retry", "");
        assertThat(retryPending.statusCode()).isEqualTo(409);
        assertThat(TestServer.json(retryPending).get("message").stringValue()).contains("pending");

        HttpResponse<String> cancel = s.postJson("/api/v1/tasks/" + id + "/cancel", "");
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(cancel).get("state").stringValue()).isEqualTo("cancelled");
        HttpResponse<String> cancelAgain = s.postJson("/api/v1/tasks/" + id + "/cancel", "");
        assertThat(cancelAgain.statusCode()).isEqualTo(409);
        assertThat(TestServer.json(cancelAgain).get("error").stringValue()).isEqualTo("invalid_state");

        HttpResponse<String> retry = s.postJson("/api/v1/tasks/" + id + "/retry", "");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(retry).get("state").stringValue()).isEqualTo("pending");

        assertThat(s.delete("/api/v1/tasks/" + id).statusCode()).isEqualTo(200);
        assertThat(s.get("/api/v1/tasks/" + id).statusCode()).isEqualTo(404);
        assertThat(s.delete("/api/v1/tasks/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void runningTaskCanBeAskedToCancelButNotDeleted() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Worker w = s.ferry.worker().queues("api-running").pollInterval(Duration.ofMillis(50))
                .handle("block", RawJson.class, (p, ctx) -> {
                    started.countDown();
                    release.await(30, TimeUnit.SECONDS);
                    return null;
                }).start();
        try {
            String id = s.enqueue("api-running", "{\"type\":\"block\",\"payload\":{}}");
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            HttpResponse<String> del = s.delete("/api/v1/tasks/" + id);
            assertThat(del.statusCode()).isEqualTo(409);
            assertThat(TestServer.json(del).get("message").stringValue()).contains("active").contains("cancel it first");
            HttpResponse<String> cancel = s.postJson("/api/v1/tasks/" + id + "/cancel", "");
            assertThat(cancel.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(cancel).get("cancelRequested").booleanValue()).isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(TestServer.json(s.get("/api/v1/tasks/" + id)).get("state").stringValue()).isEqualTo("cancelled"));
        } finally {
            release.countDown();
            w.close();
        }
    }

    @Test
    void replayDeadSendsDeadTasksBack() {
        Worker w = s.ferry.worker().queues("api-dead", "api-dead2").pollInterval(Duration.ofMillis(50))
                .handle("boom", RawJson.class, (p, ctx) -> {
                    throw new IllegalStateException("boom on purpose");
                }).start();
        try {
            String a = s.enqueue("api-dead", "{\"type\":\"boom\",\"payload\":{},\"maxAttempts\":1}");
            String b = s.enqueue("api-dead2", "{\"type\":\"boom\",\"payload\":{},\"maxAttempts\":1}");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(state(a)).isEqualTo("dead");
                assertThat(state(b)).isEqualTo("dead");
            });
            JsonNode dead = TestServer.json(s.get("/api/v1/tasks?state=dead"));
            assertThat(dead.findValuesAsString("id")).contains(a, b);
            JsonNode one = TestServer.json(s.get("/api/v1/tasks/" + a));
            assertThat(one.get("deadReason").stringValue()).isEqualTo("failed");
            assertThat(one.get("errors").get(0).get("message").stringValue()).contains("boom on purpose");
            assertThat(one.get("errors").get(0).get("stackTrace").stringValue()).contains("at ");
        } finally {
            w.close();
        }
        HttpResponse<String> r = s.postJson("/api/v1/queues/api-dead/dead/replay", "");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(r).get("replayed").longValue()).isEqualTo(1);
        HttpResponse<String> all = s.postJson("/api/v1/dead/replay", "");
        assertThat(TestServer.json(all).get("replayed").longValue()).isGreaterThanOrEqualTo(1);
        assertThat(TestServer.json(s.get("/api/v1/queues/api-dead2")).get("counts").get("dead").longValue()).isZero();
    }

    @Test
    void pauseAndResumeAQueue() {
        HttpResponse<String> p = s.postJson("/api/v1/queues/api-pause/pause", "");
        assertThat(p.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(p).get("changed").booleanValue()).isTrue();
        assertThat(TestServer.json(s.postJson("/api/v1/queues/api-pause/pause", "")).get("changed").booleanValue()).isFalse();
        assertThat(TestServer.json(s.get("/api/v1/queues/api-pause")).get("paused").booleanValue()).isTrue();
        HttpResponse<String> r = s.postJson("/api/v1/queues/api-pause/resume", "");
        assertThat(TestServer.json(r).get("changed").booleanValue()).isTrue();
        assertThat(TestServer.json(s.get("/api/v1/queues/api-pause")).get("paused").booleanValue()).isFalse();
    }

    @Test
    void purgeDeletesTheNamedStatesOnly() {
        s.enqueue("api-purge", "{\"type\":\"t\",\"payload\":{}}");
        s.enqueue("api-purge", "{\"type\":\"t\",\"payload\":{},\"delay\":\"1h\"}");
        HttpResponse<String> r = s.postJson("/api/v1/queues/api-purge/purge?state=pending", "");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(r).get("deleted").longValue()).isEqualTo(1);
        JsonNode q = TestServer.json(s.get("/api/v1/queues/api-purge"));
        assertThat(q.get("counts").get("pending").longValue()).isZero();
        assertThat(q.get("counts").get("scheduled").longValue()).isEqualTo(1);

        HttpResponse<String> none = s.postJson("/api/v1/queues/api-purge/purge", "");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(none).get("field").stringValue()).isEqualTo("state");
        HttpResponse<String> active = s.postJson("/api/v1/queues/api-purge/purge?state=active", "");
        assertThat(active.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(active).get("message").stringValue()).contains("never purged");
        assertThat(s.postJson("/api/v1/queues/api-purge/purge?state=nope", "").statusCode()).isEqualTo(400);
    }

    @Test
    void workersAreListedFromTheirHeartbeats() {
        Worker w = s.ferry.worker().queues("api-workers").concurrency(3).handle("t", RawJson.class, (p, ctx) -> p).start();
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode workers = TestServer.json(s.get("/api/v1/workers")).get("workers");
                JsonNode mine = null;
                for (JsonNode x : workers) {
                    if (x.get("workerId").stringValue().equals(w.id())) {
                        mine = x;
                    }
                }
                assertThat(mine).isNotNull();
                assertThat(mine.get("concurrency").intValue()).isEqualTo(3);
                assertThat(mine.get("queues").get(0).stringValue()).isEqualTo("api-workers");
            });
        } finally {
            w.close();
        }
    }

    @Test
    void healthAndReadiness() {
        HttpResponse<String> h = s.get("/healthz");
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(h).get("status").stringValue()).isEqualTo("ok");
        assertThat(TestServer.json(s.get("/readyz")).get("status").stringValue()).isEqualTo("ready");
    }

    @Test
    void readinessFailsWhenTheBrokerIsGone(@TempDir Path other) {
        TestServer t = TestServer.start(other);
        try {
            t.ferry.close(); // the broker closes; the HTTP server stays up
            HttpResponse<String> r = t.get("/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(TestServer.json(r).get("status").stringValue()).isEqualTo("unavailable");
            assertThat(t.get("/healthz").statusCode()).isEqualTo(200);
        } finally {
            t.close();
        }
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405() {
        HttpResponse<String> r = s.get("/api/v1/nothing-here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(r).get("error").stringValue()).isEqualTo("not_found");
        HttpResponse<String> m = s.send(s.request("/api/v1/queues", "Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(m.statusCode()).isEqualTo(405);
        assertThat(m.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> d = s.delete("/api/v1/queues/x/tasks");
        assertThat(d.statusCode()).isEqualTo(405);
        assertThat(d.headers().firstValue("Allow")).hasValue("GET, POST");
    }

    private static String state(String id) {
        return TestServer.json(s.get("/api/v1/tasks/" + id)).get("state").stringValue();
    }

    @Test
    void enqueuedTasksRunOnWorkers() {
        Worker w = s.ferry.worker().queues("api-run").pollInterval(Duration.ofMillis(50))
                .handle("echo", RawJson.class, (p, ctx) -> p).start();
        try {
            String id = s.enqueue("api-run", "{\"type\":\"echo\",\"payload\":{\"hello\":\"world\"}}");
            await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("completed"));
            JsonNode t = TestServer.json(s.get("/api/v1/tasks/" + id));
            assertThat(t.get("result").get("hello").stringValue()).isEqualTo("world");
            assertThat(s.ferry.inspector().task(id).orElseThrow().state()).isEqualTo(TaskState.COMPLETED);
        } finally {
            w.close();
        }
    }
}
