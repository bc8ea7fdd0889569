package dev.ferry.server;

import static dev.ferry.server.Route.Access.OPERATOR;
import static dev.ferry.server.Route.Access.PUBLIC;
import static dev.ferry.server.Route.Access.VIEWER;
import static dev.ferry.server.Route.Kind.API;

import dev.ferry.CronSchedules;
import dev.ferry.EnqueueResult;
import dev.ferry.Explanation;
import dev.ferry.Ferry;
import dev.ferry.Inspector;
import dev.ferry.InvalidInputException;
import dev.ferry.QueueStats;
import dev.ferry.StoredSchedule;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.TaskPage;
import dev.ferry.workflow.WorkflowInfo;
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
 * probes. Everything goes through the public {@link dev.ferry.Client}, {@link Inspector} and
 * {@link CronSchedules}, so it works on every backend.
 */
final class ApiRoutes {
    static final int MAX_PAGE = 500;
    static final int MAX_OFFSET = 1_000_000;

    private final Ferry ferry;
    private final Inspector inspector;
    private final CronSchedules cron;
    private final StatsSampler sampler;
    private final FerryMetrics metrics;
    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final byte[] openApi;

    ApiRoutes(Ferry ferry, StatsSampler sampler, FerryMetrics metrics, PrometheusMeterRegistry registry, Clock clock) {
        this.ferry = ferry;
        this.inspector = ferry.inspector();
        this.cron = ferry.cronSchedules();
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
        r.add("GET", "/api/v1/queues/{queue}/scale", VIEWER, API, this::scale);
        r.add("POST", "/api/v1/queues/{queue}/pause", OPERATOR, API, c -> pause(c, true));
        r.add("POST", "/api/v1/queues/{queue}/resume", OPERATOR, API, c -> pause(c, false));
        r.add("POST", "/api/v1/queues/{queue}/purge", OPERATOR, API, this::purge);
        r.add("POST", "/api/v1/queues/{queue}/dead/replay", OPERATOR, API,
                c -> c.json(200, Map.of("queue", c.param("queue"), "replayed", inspector.replayDead(c.param("queue")))));
        r.add("POST", "/api/v1/dead/replay", OPERATOR, API, c -> c.json(200, Map.of("replayed", inspector.replayDead())));

        r.add("GET", "/api/v1/tasks", VIEWER, API, c -> listTasks(c, c.query("queue")));
        r.add("GET", "/api/v1/tasks/{id}", VIEWER, API, this::task);
        r.add("GET", "/api/v1/tasks/{id}/explain", VIEWER, API, this::explain);
        r.add("DELETE", "/api/v1/tasks/{id}", OPERATOR, API, this::delete);
        r.add("POST", "/api/v1/tasks/{id}/retry", OPERATOR, API, this::retry);
        r.add("POST", "/api/v1/tasks/{id}/cancel", OPERATOR, API, this::cancel);

        r.add("GET", "/api/v1/cron", VIEWER, API, this::cronList);
        r.add("POST", "/api/v1/cron", OPERATOR, API, this::cronAdd);
        r.add("GET", "/api/v1/cron/{name}", VIEWER, API, this::cronGet);
        r.add("DELETE", "/api/v1/cron/{name}", OPERATOR, API, this::cronRemove);

        r.add("GET", "/api/v1/workflows/{id}", VIEWER, API, this::workflow);

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
        requireJson(c);
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

    /**
     * What an autoscaler needs, from the queue's maintained counters (one cheap read): KEDA's
     * metrics-api scaler reads {@code ready} (valueLocation {@code ready}).
     */
    private void scale(Call c) throws IOException {
        QueueStats q = inspector.queue(c.param("queue"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("queue", q.queue());
        body.put("ready", q.count(TaskState.PENDING));
        body.put("oldestPendingAgeSeconds", q.oldestPendingAt() == null ? 0.0
                : Math.max(0, Duration.between(q.oldestPendingAt(), clock.instant()).toMillis()) / 1000.0);
        c.json(200, body);
    }

    /** Why the task is or is not running; an unknown task is a 404 that still carries the explanation. */
    private void explain(Call c) throws IOException {
        Explanation e = inspector.explain(c.param("id"));
        if (e.reason() == Explanation.Reason.NOT_FOUND) {
            throw new HttpError(404, "not_found", null, e.message(), Json.explanation(e));
        }
        c.json(200, Json.explanation(e));
    }

    private void cronList(Call c) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (StoredSchedule s : cron.list()) {
            out.add(Json.schedule(s, ferry.defaults().queue()));
        }
        c.json(200, Map.of("schedules", out, "at", clock.instant().toString()));
    }

    private StoredSchedule existingSchedule(String name) {
        return cron.get(name).orElseThrow(() -> HttpError.notFound("no cron schedule named '" + name + "'"));
    }

    private void cronGet(Call c) throws IOException {
        c.json(200, Json.schedule(existingSchedule(c.param("name")), ferry.defaults().queue()));
    }

    private void cronAdd(Call c) throws IOException {
        requireJson(c);
        CronRequest.Parsed p = CronRequest.parse(c.body());
        long size = p.payloadJson().getBytes(StandardCharsets.UTF_8).length;
        int limit = ferry.defaults().maxPayloadBytes();
        if (size > limit) {
            throw new HttpError(413, "payload_too_large", "payload", "payload: is " + size + " bytes, over the limit of " + limit
                    + " bytes (keep payloads small: enqueue a reference to large data)", Map.of("limitBytes", limit));
        }
        StoredSchedule stored;
        try {
            stored = cron.add(p.name(), p.schedule(), p.zone(), p.task(), p.misfire(), p.overlap());
        } catch (InvalidInputException e) {
            // the core refuses a taken name as bad input; over HTTP that is a conflict. Asked only
            // after the refusal, so a name that is merely malformed stays a 400.
            if (e.field().equals("name") && cron.get(p.name()).isPresent()) {
                throw HttpError.conflict("duplicate_name", "a cron schedule named '" + p.name()
                        + "' exists already; nothing was stored (DELETE it first to replace it)",
                        Map.of("name", p.name(), "location", cronLocation(p.name())));
            }
            throw CronRequest.refusal(e);
        }
        c.responseHeaders().set("Location", cronLocation(stored.name()));
        c.json(201, Json.schedule(stored, ferry.defaults().queue()));
    }

    private static String cronLocation(String name) {
        return "/api/v1/cron/" + Html.pathSegment(name);
    }

    private void cronRemove(Call c) throws IOException {
        String name = c.param("name");
        if (!cron.remove(name)) {
            throw HttpError.notFound("no cron schedule named '" + name + "'");
        }
        c.json(200, Map.of("name", name, "removed", true));
    }

    private void workflow(Call c) throws IOException {
        String id = c.param("id");
        WorkflowInfo w = inspector.workflow(id).orElseThrow(() -> HttpError.notFound("no workflow with id '" + id + "'"));
        c.json(200, Json.workflow(w));
    }

    private static void requireJson(Call c) {
        if (!c.contentType().equals("application/json")) {
            throw new HttpError(415, "unsupported_media_type", "Content-Type must be application/json, was '"
                    + (c.header("Content-Type") == null ? "none" : c.header("Content-Type")) + "'");
        }
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
