package dev.ferry.server;

import static dev.ferry.server.Route.Access.OPERATOR;
import static dev.ferry.server.Route.Access.PUBLIC;
import static dev.ferry.server.Route.Access.VIEWER;
import static dev.ferry.server.Route.Kind.API;

import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.Inspector;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.TaskPage;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON API under {@code /api/v1}, the OpenAPI document, {@code /metrics} and the health
 * probes. Everything goes through the public {@link dev.ferry.Client} and {@link Inspector}, so it
 * works on every backend.
 */
final class ApiRoutes {
    static final int MAX_PAGE = 500;
    static final int MAX_OFFSET = 1_000_000;

    private final Ferry ferry;
    private final Inspector inspector;
    private final StatsSampler sampler;
    private final FerryMetrics metrics;
    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final byte[] openApi;

    ApiRoutes(Ferry ferry, StatsSampler sampler, FerryMetrics metrics, PrometheusMeterRegistry registry, Clock clock) {
        this.ferry = ferry;
        this.inspector = ferry.inspector();
        this.sampler = sampler;
        this.metrics = metrics;
        this.registry = registry;
        this.clock = clock;
        this.openApi = resource("openapi.json");
    }

    void register(Router r) {
        r.add("GET", "/healthz", PUBLIC, API, this::health);
        r.add("GET", "/readyz", PUBLIC, API, this::ready);
        r.add("GET", "/metrics", VIEWER, API, this::scrape);
        r.add("GET", "/api/openapi.json", VIEWER, API, c -> c.send(200, "application/json; charset=utf-8", openApi));

        r.add("GET", "/api/v1/queues", VIEWER, API, this::queues);
        r.add("GET", "/api/v1/queues/{queue}", VIEWER, API, this::queue);
        r.add("POST", "/api/v1/queues/{queue}/tasks", OPERATOR, API, this::enqueue);
        r.add("GET", "/api/v1/queues/{queue}/tasks", VIEWER, API, c -> listTasks(c, c.param("queue")));
        r.add("POST", "/api/v1/queues/{queue}/pause", OPERATOR, API, c -> pause(c, true));
        r.add("POST", "/api/v1/queues/{queue}/resume", OPERATOR, API, c -> pause(c, false));
        r.add("POST", "/api/v1/queues/{queue}/purge", OPERATOR, API, this::purge);
        r.add("POST", "/api/v1/queues/{queue}/dead/replay", OPERATOR, API,
                c -> c.json(200, Map.of("queue", c.param("queue"), "replayed", inspector.replayDead(c.param("queue")))));
        r.add("POST", "/api/v1/dead/replay", OPERATOR, API, c -> c.json(200, Map.of("replayed", inspector.replayDead())));

        r.add("GET", "/api/v1/tasks", VIEWER, API, c -> listTasks(c, c.query("queue")));
        r.add("GET", "/api/v1/tasks/{id}", VIEWER, API, this::task);
        r.add("DELETE", "/api/v1/tasks/{id}", OPERATOR, API, this::delete);
        r.add("POST", "/api/v1/tasks/{id}/retry", OPERATOR, API, this::retry);
        r.add("POST", "/api/v1/tasks/{id}/cancel", OPERATOR, API, this::cancel);

        r.add("GET", "/api/v1/workers", VIEWER, API, this::workers);
        r.add("GET", "/api/v1/series", VIEWER, API, this::series);
    }

    private void health(Call c) throws IOException {
        c.json(200, Map.of("status", "ok"));
    }

    /** Ready when the broker answers a cheap read (one queue's maintained counters). */
    private void ready(Call c) throws IOException {
        try {
            inspector.queue(ferry.defaults().queue());
            c.json(200, Map.of("status", "ready"));
        } catch (RuntimeException e) {
            c.json(503, Map.of("status", "unavailable", "message", "the broker did not answer: " + e.getMessage()));
        }
    }

    private void scrape(Call c) throws IOException {
        try {
            // at most one broker read per second, however many scrapers there are
            metrics.refreshIfOlder(Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            // serve the last values rather than nothing; the gauges show the broker as it last answered
            System.getLogger(ApiRoutes.class.getName()).log(System.Logger.Level.WARNING, "metrics refresh failed: " + e.getMessage());
        }
        c.send(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void queues(Call c) throws IOException {
        Instant now = clock.instant();
        List<Map<String, Object>> out = new ArrayList<>();
        for (QueueStats q : inspector.queues()) {
            out.add(queueJson(q, now));
        }
        c.json(200, Map.of("queues", out, "at", now.toString()));
    }

    private void queue(Call c) throws IOException {
        QueueStats q = inspector.queue(c.param("queue"));
        c.json(200, queueJson(q, clock.instant()));
    }

    Map<String, Object> queueJson(QueueStats q, Instant now) {
        return Json.queue(q, now, sampler.throughput(q.queue(), Duration.ofMinutes(1)), sampler.throughput(q.queue(), Duration.ofMinutes(5)));
    }

    private void enqueue(Call c) throws IOException {
        if (!c.contentType().equals("application/json")) {
            throw new HttpError(415, "unsupported_media_type", "Content-Type must be application/json, was '"
                    + (c.header("Content-Type") == null ? "none" : c.header("Content-Type")) + "'");
        }
        EnqueueRequest.Parsed parsed = EnqueueRequest.parse(c.body(), c.param("queue"));
        long size = parsed.payloadJson().getBytes(StandardCharsets.UTF_8).length;
        int limit = ferry.defaults().maxPayloadBytes();
        if (size > limit) {
            throw new HttpError(413, "payload_too_large", "payload", "payload: is " + size + " bytes, over the limit of " + limit
                    + " bytes (keep payloads small: enqueue a reference to large data)", Map.of("limitBytes", limit));
        }
        EnqueueResult result = ferry.client().enqueue(parsed.task());
        String location = "/api/v1/tasks/" + Html.pathSegment(result.id());
        if (result.created()) {
            c.responseHeaders().set("Location", location);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", result.id());
            body.put("status", "created");
            body.put("queue", c.param("queue"));
            body.put("type", parsed.task().type());
            c.json(201, body);
            return;
        }
        boolean byId = result.status() == EnqueueResult.Status.DUPLICATE_ID;
        throw HttpError.conflict(byId ? "duplicate_id" : "duplicate_unique_key",
                byId ? "a task with id '" + result.id() + "' exists already; nothing was stored"
                        : "unique key '" + parsed.task().uniqueKey() + "' is held by task '" + result.id() + "'; nothing was stored",
                Map.of("id", result.id(), "location", location));
    }

    private void listTasks(Call c, String queue) throws IOException {
        String stateText = c.query("state");
        TaskState state = stateText == null || stateText.isEmpty() ? TaskState.PENDING : TaskState.parse(stateText);
        int offset = c.intQuery("offset", 0, 0, MAX_OFFSET);
        int limit = c.intQuery("limit", 50, 1, MAX_PAGE);
        TaskPage page = inspector.tasks(queue, state, offset, limit);
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (TaskInfo t : page.tasks()) {
            tasks.add(Json.taskSummary(t));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("queue", queue);
        body.put("state", Json.lower(state));
        body.put("offset", offset);
        body.put("limit", limit);
        body.put("hasMore", page.hasMore());
        body.put("tasks", tasks);
        c.json(200, body);
    }

    private TaskInfo existing(String id) {
        return inspector.task(id).orElseThrow(() -> HttpError.notFound("no task with id '" + id + "'"));
    }

    private void task(Call c) throws IOException {
        c.json(200, Json.task(existing(c.param("id"))));
    }

    private void retry(Call c) throws IOException {
        String id = c.param("id");
        if (!inspector.retry(id)) {
            TaskInfo t = existing(id);
            throw HttpError.conflict("invalid_state", "task '" + id + "' is " + Json.lower(t.state())
                    + ": only dead, retrying, scheduled or cancelled tasks can be retried", Map.of("state", Json.lower(t.state())));
        }
        c.json(200, stateAfter(id, "retried"));
    }

    private void cancel(Call c) throws IOException {
        String id = c.param("id");
        if (!inspector.cancel(id)) {
            TaskInfo t = existing(id);
            throw HttpError.conflict("invalid_state", "task '" + id + "' is " + Json.lower(t.state())
                    + ": only queued or running tasks can be cancelled", Map.of("state", Json.lower(t.state())));
        }
        c.json(200, stateAfter(id, "cancelled"));
    }

    private void delete(Call c) throws IOException {
        String id = c.param("id");
        if (!inspector.delete(id)) {
            TaskInfo t = existing(id);
            throw HttpError.conflict("invalid_state", "task '" + id + "' is " + Json.lower(t.state())
                    + ": a running task cannot be deleted; cancel it first", Map.of("state", Json.lower(t.state())));
        }
        c.json(200, Map.of("id", id, "deleted", true));
    }

    private Map<String, Object> stateAfter(String id, String what) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put(what, true);
        Optional<TaskInfo> t = inspector.task(id);
        body.put("state", t.map(x -> Json.lower(x.state())).orElse(null));
        body.put("cancelRequested", t.map(TaskInfo::cancelRequested).orElse(false));
        return body;
    }

    private void pause(Call c, boolean pause) throws IOException {
        String queue = c.param("queue");
        boolean changed = pause ? inspector.pause(queue) : inspector.resume(queue);
        c.json(200, Map.of("queue", queue, "paused", pause, "changed", changed));
    }

    private void purge(Call c) throws IOException {
        String queue = c.param("queue");
        List<String> names = c.queryAll("state");
        if (names.isEmpty()) {
            throw HttpError.badRequest("state", "name the states to purge, e.g. ?state=completed,dead");
        }
        List<TaskState> states = new ArrayList<>();
        for (String n : names) {
            TaskState s = TaskState.parse(n);
            if (s == TaskState.ACTIVE) {
                throw HttpError.badRequest("state", "running (active) tasks are never purged; cancel them first");
            }
            states.add(s);
        }
        long deleted = inspector.purge(queue, states.toArray(TaskState[]::new));
        c.json(200, Map.of("queue", queue, "states", states.stream().map(Json::lower).toList(), "deleted", deleted));
    }

    private void workers(Call c) throws IOException {
        Instant now = clock.instant();
        List<Map<String, Object>> out = new ArrayList<>();
        for (WorkerInfo w : inspector.workers()) {
            out.add(Json.worker(w, now));
        }
        c.json(200, Map.of("workers", out));
    }

    private void series(Call c) throws IOException {
        int minutes = c.intQuery("minutes", 5, 1, 60);
        c.json(200, sampler.series(Duration.ofMinutes(minutes)));
    }

    static byte[] resource(String name) {
        try (InputStream in = ApiRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the ferry-server jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }

}
