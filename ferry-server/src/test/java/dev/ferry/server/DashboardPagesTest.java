package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's pages over plain HTTP: what they render, their paging, their errors, and that
 * task data arrives escaped. (The browser test checks the same pages in Chromium.)
 */
class DashboardPagesTest {
    static final String EVIL = "<script>alert(1)</script>\" onmouseover=\"alert(2)";

    @TempDir
    static Path dir;
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.start(dir);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void overviewListsQueuesWithCountsAndCharts() {
        s.enqueue("pages-a", "{\"type\":\"t\",\"payload\":{}}");
        HttpResponse<String> r = s.get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.body()).contains("<tr data-queue=\"pages-a\">").contains("href=\"/queues/pages-a\"")
                .contains("data-field=\"pending\">1<").contains("id=\"charts\"").contains("/static/uPlot.iife.min.js");
    }

    @Test
    void queuePagePagesThroughTasks() {
        for (int i = 0; i < 60; i++) {
            s.enqueue("pages-many", "{\"type\":\"t\",\"payload\":{},\"id\":\"many-" + i + "\"}");
        }
        String first = s.get("/queues/pages-many").body();
        assertThat(first).contains("many-0\"").contains("many-49\"").doesNotContain("many-50\"");
        assertThat(first).contains("rel=\"next\" href=\"/queues/pages-many?state=pending&amp;offset=50\"");
        String second = s.get("/queues/pages-many?state=pending&offset=50").body();
        assertThat(second).contains("many-50\"").contains("many-59\"").doesNotContain("many-49\"").doesNotContain("rel=\"next\"")
                .contains("rel=\"prev\"");
        assertThat(s.get("/queues/pages-many?state=completed").body()).contains("No completed tasks here.");
    }

    @Test
    void taskDataIsEscapedEverywhere() {
        String json = EVIL.replace("\"", "\\\"");
        String id = s.enqueue("pages-x", "{\"type\":\"t\",\"payload\":{\"v\":\"" + json + "\"},\"uniqueKey\":\"" + json
                + "\",\"uniqueFor\":\"1h\",\"headers\":{\"h\":\"" + json + "\"}}");
        for (String path : new String[] {"/tasks/" + id, "/queues/pages-x"}) {
            String html = s.get(path).body();
            assertThat(html).as(path).doesNotContain("<script>alert").doesNotContain("\" onmouseover=\"alert");
        }
        String task = s.get("/tasks/" + id).body();
        assertThat(task).contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;alert(2)");
        assertThat(task).contains("&lt;script&gt;alert(1)&lt;/script&gt;\\&quot; onmouseover=\\&quot;alert(2)"); // inside the JSON payload
    }

    @Test
    void errorPagesEscapeWhatTheyEcho() {
        HttpResponse<String> missing = s.get("/tasks/nobody-here");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no task with id &#39;nobody-here&#39;");
        HttpResponse<String> bad = s.get("/tasks/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert");
        HttpResponse<String> state = s.get("/queues/q?state=%3Cb%3E");
        assertThat(state.statusCode()).isEqualTo(400);
        assertThat(state.body()).contains("&lt;b&gt;").doesNotContain("<b>");
        assertThat(s.get("/no/such/page").statusCode()).isEqualTo(404);
        assertThat(s.get("/no/such/page").headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    }

    @Test
    void taskPageSaysWhyTheTaskIsNotRunning() {
        String delayed = s.enqueue("pages-why", "{\"type\":\"t\",\"payload\":{},\"delay\":\"1h\"}");
        String html = s.get("/tasks/" + delayed).body();
        assertThat(html).contains("id=\"explain\" data-reason=\"delayed\"").contains("Why not running:").contains("delayed until");
        String ready = s.enqueue("pages-why", "{\"type\":\"t\",\"payload\":{}}");
        assertThat(s.get("/tasks/" + ready).body()).contains("data-reason=\"no_worker\"").contains("no live worker");
    }

    @Test
    void cronPageListsSchedulesEscapedAndOperatorsRemoveThem() {
        String evil = EVIL.replace("\"", "\\\"");
        assertThat(s.postJson("/api/v1/cron", "{\"name\":\"pages-cron\",\"schedule\":\"0 9 * * MON-FRI\",\"zone\":\"Europe/Berlin\","
                + "\"type\":\"report.daily\",\"queue\":\"pages-cron-q\",\"payload\":{\"v\":\"" + evil + "\"}}").statusCode()).isEqualTo(201);
        HttpResponse<String> page = s.get("/cron");
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        assertThat(html).contains("<tr data-schedule=\"pages-cron\">").contains("0 9 * * MON-FRI").contains("Europe/Berlin")
                .contains("report.daily").contains("href=\"/queues/pages-cron-q\"").contains("<time datetime=")
                .contains("href=\"/cron\" class=\"active\"");
        assertThat(html).doesNotContain("<script>alert").doesNotContain("\" onmouseover=\"alert")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;");

        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        String token = cookie.substring("ferry_csrf=".length(), cookie.indexOf(';'));
        HttpResponse<String> removed = s.post("/ui/cron/pages-cron/remove", "application/x-www-form-urlencoded", "_csrf=" + token,
                "Cookie", "ferry_csrf=" + token);
        assertThat(removed.statusCode()).isEqualTo(303);
        assertThat(removed.headers().firstValue("Location")).hasValue("/cron?done=cron-removed");
        assertThat(s.ferry.cronSchedules().get("pages-cron")).isEmpty();
        assertThat(s.get("/cron?done=cron-removed").body()).contains("Schedule removed").doesNotContain("data-schedule=\"pages-cron\"");
        assertThat(s.post("/ui/cron/pages-cron/remove", "application/x-www-form-urlencoded", "_csrf=" + token,
                "Cookie", "ferry_csrf=" + token).statusCode()).isEqualTo(404);
    }

    @Test
    void workflowPageDrawsStepsByDepthAndTasksLinkToIt() {
        s.ferry.workflows().start(dev.ferry.workflow.Workflow.chain(dev.ferry.Task.ofJson("wfp.a", "{}").queue("pages-wf"),
                dev.ferry.workflow.Workflow.group(dev.ferry.workflow.Workflow.step("wfp.b"), dev.ferry.workflow.Workflow.step("wfp.c")))
                .id("pages-wf-1"));
        HttpResponse<String> r = s.get("/workflows/pages-wf-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String html = r.body();
        assertThat(html).contains("id=\"workflow-status\">running<").contains("id=\"workflow-graph\"");
        // a: first column; b and c: second column, after a
        int a = html.indexOf("data-step=\"wfp.a\"");
        int b = html.indexOf("data-step=\"wfp.b\"");
        int secondColumn = html.indexOf("<div class=\"column\">", a);
        assertThat(a).isPositive();
        assertThat(secondColumn).isBetween(a, b);
        assertThat(html).contains("after wfp.a");
        String firstTask = s.ferry.inspector().workflow("pages-wf-1").orElseThrow().steps().get(0).taskId();
        assertThat(s.get("/tasks/" + firstTask).body()).contains("id=\"workflow-link\" href=\"/workflows/pages-wf-1\"");
        assertThat(s.get("/workflows/no-such-wf").statusCode()).isEqualTo(404);
        assertThat(s.get("/workflows/%3Cb%3E").statusCode()).isEqualTo(400);
    }

    @Test
    void workersPageAndDeadSetRender() {
        assertThat(s.get("/workers").body()).contains("No worker has sent a heartbeat");
        assertThat(s.get("/dead").statusCode()).isEqualTo(200);
        assertThat(s.get("/dead").body()).contains("Dead set");
    }

    @Test
    void staticFilesAreServedWithValidators() {
        HttpResponse<String> js = s.get("/static/ferry.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        String etag = js.headers().firstValue("ETag").orElseThrow();
        assertThat(s.get("/static/ferry.js", "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(s.get("/static/uPlot.iife.min.js").body()).startsWith("/*! uPlot v1.6.32").contains("MIT License");
        assertThat(s.get("/static/..%2Fopenapi.json").statusCode()).isEqualTo(404);
        assertThat(s.get("/static/nothing.js").statusCode()).isEqualTo(404);
    }
}
