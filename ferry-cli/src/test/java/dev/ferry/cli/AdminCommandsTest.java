package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.RawJson;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** tasks, task, retry, cancel, delete, dead replay, pause, resume and purge against a real store. */
class AdminCommandsTest {
    @TempDir
    Path dir;

    Cli cli;
    final List<String> deadIds = new ArrayList<>();

    /** Two tasks in queue {@code jobs} that died with a real stack trace, and one pending task. */
    @BeforeEach
    void twoDeadTasks() {
        cli = new Cli(dir);
        for (int i = 0; i < 2; i++) {
            Cli.Result r = cli.run("enqueue", "jobs", "always.fail", "--payload", "{\"i\":" + i + "}", "--max-attempts", "1");
            assertThat(r.code()).as(r.toString()).isZero();
            deadIds.add(r.out().strip());
        }
        try (Ferry ferry = Ferry.open(cli.broker)) {
            Worker worker = ferry.worker().queues("jobs")
                    .handle("always.fail", RawJson.class, (p, ctx) -> {
                        throw new IllegalStateException("boom " + ctx.id());
                    })
                    .start();
            await().atMost(Duration.ofSeconds(30)).until(() -> ferry.inspector().queue("jobs").count(TaskState.DEAD) == 2);
            worker.close();
        }
    }

    private JsonNode taskJson(String id) {
        Cli.Result r = cli.run("task", id, "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        return Json.MAPPER.readTree(r.out());
    }

    private String state(String id) {
        return taskJson(id).get("state").stringValue();
    }

    @Test
    void tasksListsOnePageOfAStateAsTableAndJson() {
        Cli.Result table = cli.run("tasks", "--queue", "jobs", "--state", "dead");
        assertThat(table.code()).as(table.toString()).isZero();
        assertThat(table.out()).contains("ID", "LAST ERROR", deadIds.get(0), deadIds.get(1), "IllegalStateException: boom");

        Cli.Result page = cli.run("tasks", "--state", "DEAD", "--limit", "1", "--json");
        JsonNode doc = Json.MAPPER.readTree(page.out());
        assertThat(doc.get("tasks").size()).isEqualTo(1);
        assertThat(doc.get("hasMore").booleanValue()).isTrue();
        Cli.Result second = cli.run("tasks", "--state", "dead", "--limit", "1", "--offset", "1", "--json");
        assertThat(Json.MAPPER.readTree(second.out()).get("hasMore").booleanValue()).isFalse();

        assertThat(cli.run("tasks", "--queue", "jobs", "--state", "pending").out()).contains("no pending tasks in queue jobs");
        Cli.Result bad = cli.run("tasks", "--state", "sleeping");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.errLines()).singleElement().asString().contains("--state", "sleeping");
    }

    @Test
    void taskShowsEveryFieldThePayloadAndErrorsWithStackTraces() {
        String id = deadIds.get(0);
        Cli.Result r = cli.run("task", id);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains(id, "jobs", "always.fail", "dead (failed)", "attempt", "1 of 1", "payload:", "\"i\" : 0",
                "errors (1", "java.lang.IllegalStateException: boom " + id, "at ");

        JsonNode json = taskJson(id);
        assertThat(json.get("id").stringValue()).isEqualTo(id);
        assertThat(json.get("state").stringValue()).isEqualTo("dead");
        assertThat(json.get("deadReason").stringValue()).isEqualTo("failed");
        assertThat(json.get("payload").get("i").intValue()).isZero();
        assertThat(json.get("maxAttempts").intValue()).isEqualTo(1);
        assertThat(json.get("errors").get(0).get("errorType").stringValue()).isEqualTo("java.lang.IllegalStateException");
        assertThat(json.get("errors").get(0).get("stackTrace").stringValue()).contains("IllegalStateException", "at ");
        for (String field : List.of("queue", "type", "priority", "attempt", "timeout", "runAt", "enqueuedAt", "startedAt",
                "finishedAt", "expiresAt", "leaseExpiresAt", "workerId", "uniqueKey", "progress", "result", "leaseExpirations",
                "cancelRequested", "headers", "retention", "deadRetention")) {
            assertThat(json.has(field)).as(field).isTrue();
        }
    }

    @Test
    void retryCancelAndDeleteRoundTrip() {
        String id = deadIds.get(0);
        Cli.Result retry = cli.run("retry", id);
        assertThat(retry.code()).as(retry.toString()).isZero();
        assertThat(state(id)).isEqualTo("pending");

        Cli.Result again = cli.run("retry", id);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.errLines()).singleElement().asString().contains("task " + id + " is pending");

        assertThat(cli.run("cancel", id).code()).isZero();
        assertThat(state(id)).isEqualTo("cancelled");
        Cli.Result cancelAgain = cli.run("cancel", id);
        assertThat(cancelAgain.code()).isEqualTo(1);
        assertThat(cancelAgain.err()).contains("is cancelled");

        assertThat(cli.run("retry", id).code()).isZero();
        assertThat(state(id)).isEqualTo("pending");

        Cli.Result delete = cli.run("delete", id);
        assertThat(delete.code()).as(delete.toString()).isZero();
        for (String command : List.of("task", "retry", "cancel", "delete")) {
            Cli.Result gone = cli.run(command, id);
            assertThat(gone.code()).as(command).isEqualTo(1);
            assertThat(gone.errLines()).as(command).containsExactly("ferry: task " + id + " not found");
        }
        Cli.Result malformed = cli.run("task", "not an id");
        assertThat(malformed.code()).isEqualTo(2);
    }

    @Test
    void deadReplaySendsTheDeadSetBackToPending() {
        Cli.Result other = cli.run("dead", "replay", "--queue", "other");
        assertThat(other.code()).isZero();
        assertThat(other.out()).contains("replayed 0 dead tasks");

        Cli.Result r = cli.run("dead", "replay", "--queue", "jobs");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("replayed 2 dead tasks");
        assertThat(deadIds).allSatisfy(id -> assertThat(state(id)).isEqualTo("pending"));
        JsonNode taskJson = taskJson(deadIds.get(0));
        assertThat(taskJson.get("attempt").intValue()).isZero();
        assertThat(taskJson.get("errors").size()).isEqualTo(1); // history is kept

        assertThat(cli.run("dead", "replay").out()).contains("replayed 0 dead tasks");
        assertThat(cli.run("dead").code()).isEqualTo(2);
    }

    @Test
    void pauseResumeAndPurgeAQueue() {
        assertThat(cli.run("pause", "jobs").out()).contains("queue jobs paused");
        assertThat(cli.run("pause", "jobs").out()).contains("was paused already");
        assertThat(queueJson("jobs").get("paused").booleanValue()).isTrue();
        assertThat(cli.run("queues").out()).containsPattern("jobs\\s.*\\syes\\s");
        assertThat(cli.run("resume", "jobs").out()).contains("queue jobs resumed");
        assertThat(cli.run("resume", "jobs").out()).contains("was not paused");
        assertThat(queueJson("jobs").get("paused").booleanValue()).isFalse();

        Cli.Result refused = cli.run("purge", "jobs", "--state", "dead,active");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.errLines()).singleElement().asString().contains("--state", "active");

        Cli.Result purge = cli.run("purge", "jobs", "--state", "dead,completed");
        assertThat(purge.code()).as(purge.toString()).isZero();
        assertThat(purge.out()).contains("deleted 2 tasks of queue jobs (dead, completed)");
        assertThat(queueJson("jobs").get("dead").longValue()).isZero();
    }

    private JsonNode queueJson(String name) {
        for (JsonNode q : Json.MAPPER.readTree(cli.run("queues", "--json").out()).get("queues")) {
            if (q.get("queue").stringValue().equals(name)) {
                return q;
            }
        }
        throw new AssertionError("no queue " + name);
    }
}
