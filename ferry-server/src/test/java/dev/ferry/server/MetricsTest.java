package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.RawJson;
import dev.ferry.TaskOutcome;
import dev.ferry.Worker;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} after real tasks ran: the names, labels and values, and their documentation. */
class MetricsTest {
    @TempDir
    static Path dir;
    static TestServer s;
    static String scrape;

    @BeforeAll
    static void runSomeTasks() throws IOException {
        s = TestServer.start(dir);
        scrape = runTasksAndScrape(s);
        // kept for people reading the build output: what a real scrape looks like
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "metrics-sample.txt"), scrape);
    }

    /**
     * Runs successes, a retried task, a dead task and a timeout on queue {@code metrics} with the
     * server's meters as the worker's listener, then scrapes. Shared with the alert-rule test.
     */
    static String runTasksAndScrape(TestServer s) {
        Worker w = s.ferry.worker().queues("metrics").concurrency(4).pollInterval(Duration.ofMillis(50))
                .retryPolicy(dev.ferry.RetryPolicy.fixed(Duration.ofMillis(10)))
                .listener(s.server.metrics())
                .handle("ok", RawJson.class, (p, ctx) -> p)
                .handle("flaky", RawJson.class, (p, ctx) -> {
                    if (ctx.attempt() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                    return null;
                })
                .handle("doomed", RawJson.class, (p, ctx) -> {
                    throw TaskOutcome.fail("never works");
                })
                .handle("slow", RawJson.class, (p, ctx) -> {
                    new java.util.concurrent.CountDownLatch(1).await(); // blocks until the 200ms timeout interrupts it
                    return null;
                })
                .start();
        try {
            for (int i = 0; i < 5; i++) {
                s.enqueue("metrics", "{\"type\":\"ok\",\"payload\":{}}");
            }
            s.enqueue("metrics", "{\"type\":\"flaky\",\"payload\":{}}");
            s.enqueue("metrics", "{\"type\":\"doomed\",\"payload\":{}}");
            s.enqueue("metrics", "{\"type\":\"slow\",\"payload\":{},\"timeout\":\"200ms\",\"maxAttempts\":1}");
            s.enqueue("metrics", "{\"type\":\"ok\",\"payload\":{},\"delay\":\"1h\"}");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var q = s.ferry.inspector().queue("metrics");
                assertThat(q.processedTotal()).isEqualTo(6);
                assertThat(q.deadTotal()).isEqualTo(2);
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> s.get("/metrics").body().contains("ferry_worker_slots{worker="));
            return s.get("/metrics").body();
        } finally {
            w.close();
        }
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void servesPrometheusText() {
        HttpResponse<String> r = s.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void brokerCountersCoverTheWholeQueue() {
        assertThat(scrape).contains("ferry_queue_depth{queue=\"metrics\",state=\"completed\"} 6.0");
        assertThat(scrape).contains("ferry_queue_depth{queue=\"metrics\",state=\"scheduled\"} 1.0");
        assertThat(scrape).contains("ferry_queue_depth{queue=\"metrics\",state=\"dead\"} 2.0");
        assertThat(scrape).contains("ferry_dead_set_size{queue=\"metrics\"} 2.0");
        assertThat(scrape).contains("ferry_tasks_processed_total{queue=\"metrics\"} 6.0");
        assertThat(scrape).contains("ferry_tasks_dead_total{queue=\"metrics\"} 2.0");
        assertThat(scrape).contains("ferry_tasks_failed_total{queue=\"metrics\"} 3.0");
        assertThat(scrape).contains("ferry_tasks_poisoned_total{queue=\"metrics\"} 0.0");
        assertThat(scrape).contains("ferry_queue_oldest_pending_age_seconds{queue=\"metrics\"} 0.0");
        assertThat(scrape).contains("ferry_queue_paused{queue=\"metrics\"} 0.0");
        assertThat(scrape).containsPattern("ferry_worker_slots\\{worker=\"[^\"]+\"} 4.0");
        assertThat(scrape).containsPattern("ferry_worker_busy_slots\\{worker=\"[^\"]+\"} \\d");
        assertThat(scrape).containsPattern("ferry_workers \\d");
    }

    @Test
    void workerEventsFeedTheHistogramAndCounters() {
        assertThat(scrape).contains("ferry_task_processing_seconds_count{outcome=\"succeeded\",queue=\"metrics\",type=\"ok\"} 5");
        assertThat(scrape).contains("ferry_task_processing_seconds_bucket{outcome=\"succeeded\",queue=\"metrics\",type=\"ok\",le=\"+Inf\"} 5");
        assertThat(scrape).contains("ferry_task_processing_seconds_bucket{outcome=\"succeeded\",queue=\"metrics\",type=\"ok\",le=\"0.1\"}");
        assertThat(scrape).contains("ferry_task_processing_seconds_count{outcome=\"retrying\",queue=\"metrics\",type=\"flaky\"} 1");
        assertThat(scrape).contains("ferry_task_processing_seconds_count{outcome=\"dead\",queue=\"metrics\",type=\"doomed\"} 1");
        assertThat(scrape).contains("ferry_task_processing_seconds_count{outcome=\"dead\",queue=\"metrics\",type=\"slow\"} 1");
        assertThat(scrape).contains("ferry_tasks_retried_total{queue=\"metrics\",type=\"flaky\"} 1.0");
        assertThat(scrape).contains("ferry_task_timeouts_total{queue=\"metrics\",type=\"slow\"} 1.0");
    }

    /** Every {@code ferry_} family in a scrape, without the histogram's sample suffixes. */
    static Set<String> families(String scrape) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (ferry_\\w+) ").matcher(scrape);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyMetricIsDocumented() throws IOException {
        String doc = Files.readString(Path.of(System.getProperty("ferry.root", ".."), "docs", "metrics.md"));
        Set<String> families = families(scrape);
        // lease expirations only appear once a lease was lost; they are documented all the same
        assertThat(families).contains("ferry_queue_depth", "ferry_task_processing_seconds", "ferry_tasks_processed_total",
                "ferry_worker_busy_slots", "ferry_worker_slots", "ferry_dead_set_size", "ferry_queue_oldest_pending_age_seconds");
        for (String f : families) {
            assertThat(doc).as("docs/metrics.md documents " + f).contains("`" + f + "`");
        }
        assertThat(doc).contains("`ferry_lease_expirations_total`");
    }
}
