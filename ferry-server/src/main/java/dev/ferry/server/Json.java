package dev.ferry.server;

import dev.ferry.Explanation;
import dev.ferry.QueueStats;
import dev.ferry.RawJson;
import dev.ferry.StoredSchedule;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.workflow.WorkflowInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server's JSON: one mapper, and the shapes tasks, queues and workers take on the wire.
 * Shapes are built as maps here rather than by annotating the core's records, so the wire format
 * is decided in one place and stays stable when a core record gains a field.
 */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static byte[] bytes(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    /** Parses stored JSON text for embedding; text that is not JSON is embedded as a string. */
    static Object embed(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readTree(json);
        } catch (JacksonException e) {
            return json;
        }
    }

    /** Stored JSON text, indented for people. */
    static String pretty(String json) {
        if (json == null) {
            return "";
        }
        try {
            JsonNode node = MAPPER.readTree(json);
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JacksonException e) {
            return json;
        }
    }

    static String lower(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT);
    }

    static String time(Instant i) {
        return i == null ? null : i.toString();
    }

    static String duration(Duration d) {
        return d == null ? null : d.toString();
    }

    /** A task in a list: everything but its payload, result, progress and stack traces. */
    static Map<String, Object> taskSummary(TaskInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("queue", t.queue());
        m.put("type", t.type());
        m.put("state", lower(t.state()));
        m.put("priority", t.priority());
        m.put("attempt", t.attempt());
        m.put("maxAttempts", t.maxAttempts());
        m.put("runAt", time(t.runAt()));
        m.put("enqueuedAt", time(t.enqueuedAt()));
        m.put("startedAt", time(t.startedAt()));
        m.put("finishedAt", time(t.finishedAt()));
        m.put("workerId", t.workerId());
        m.put("deadReason", lower(t.deadReason()));
        TaskError last = t.lastError();
        if (last != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", last.errorType());
            e.put("message", clip(last.message(), 500));
            m.put("lastError", e);
        } else {
            m.put("lastError", null);
        }
        return m;
    }

    /** Everything about one task. */
    static Map<String, Object> task(TaskInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("queue", t.queue());
        m.put("type", t.type());
        m.put("state", lower(t.state()));
        m.put("priority", t.priority());
        m.put("attempt", t.attempt());
        m.put("maxAttempts", t.maxAttempts());
        m.put("timeout", duration(t.timeout()));
        m.put("payload", embed(t.payloadJson()));
        m.put("progress", embed(t.progressJson()));
        m.put("result", embed(t.resultJson()));
        m.put("runAt", time(t.runAt()));
        m.put("enqueuedAt", time(t.enqueuedAt()));
        m.put("startedAt", time(t.startedAt()));
        m.put("finishedAt", time(t.finishedAt()));
        m.put("expiresAt", time(t.expiresAt()));
        m.put("leaseExpiresAt", time(t.leaseExpiresAt()));
        m.put("workerId", t.workerId());
        m.put("uniqueKey", t.uniqueKey());
        m.put("leaseExpirations", t.leaseExpirations());
        m.put("cancelRequested", t.cancelRequested());
        m.put("deadReason", lower(t.deadReason()));
        List<Map<String, Object>> errors = new ArrayList<>();
        for (TaskError e : t.errors()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("attempt", e.attempt());
            em.put("type", e.errorType());
            em.put("message", e.message());
            em.put("stackTrace", e.stackTrace());
            em.put("at", time(e.at()));
            errors.add(em);
        }
        m.put("errors", errors);
        m.put("headers", t.headers());
        m.put("retention", duration(t.retention()));
        m.put("deadRetention", duration(t.deadRetention()));
        return m;
    }

    /** The depth of a queue: tasks not finished yet (waiting, scheduled, retrying or running). */
    static long depth(QueueStats q) {
        long n = 0;
        for (TaskState s : TaskState.values()) {
            if (!s.isFinished()) {
                n += q.count(s);
            }
        }
        return n;
    }

    static Map<String, Object> queue(QueueStats q, Instant now, StatsSampler.Throughput t1, StatsSampler.Throughput t5) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", q.queue());
        m.put("paused", q.paused());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (TaskState s : TaskState.values()) {
            counts.put(lower(s), q.count(s));
        }
        m.put("counts", counts);
        m.put("depth", depth(q));
        m.put("processedTotal", q.processedTotal());
        m.put("failedTotal", q.failedTotal());
        m.put("deadTotal", q.deadTotal());
        m.put("poisonedTotal", q.poisonedTotal());
        m.put("oldestPendingAt", time(q.oldestPendingAt()));
        m.put("oldestPendingAgeSeconds", q.oldestPendingAt() == null ? 0.0
                : Math.max(0, Duration.between(q.oldestPendingAt(), now).toMillis()) / 1000.0);
        Map<String, Object> throughput = new LinkedHashMap<>();
        throughput.put("1m", t1.toMap());
        throughput.put("5m", t5.toMap());
        m.put("throughput", throughput);
        return m;
    }

    static Map<String, Object> worker(WorkerInfo w, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workerId", w.workerId());
        m.put("host", w.host());
        m.put("pid", w.pid());
        m.put("queues", w.queues());
        m.put("concurrency", w.concurrency());
        m.put("busy", w.busy());
        m.put("startedAt", time(w.startedAt()));
        m.put("lastHeartbeat", time(w.lastHeartbeat()));
        m.put("heartbeatAgeSeconds", w.lastHeartbeat() == null ? null
                : Math.max(0, Duration.between(w.lastHeartbeat(), now).toMillis()) / 1000.0);
        return m;
    }

    /** Why a task is, or is not, running ({@code GET /api/v1/tasks/{id}/explain}). */
    static Map<String, Object> explanation(Explanation e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.taskId());
        m.put("state", lower(e.state()));
        m.put("reason", lower(e.reason()));
        m.put("message", e.message());
        m.put("until", time(e.until()));
        return m;
    }

    /**
     * A stored cron schedule. {@code queue} is the effective queue ({@code defaultQueue} when the
     * schedule names none); priority, maxAttempts and timeout are null when the task takes the
     * firing scheduler's defaults.
     */
    static Map<String, Object> schedule(StoredSchedule s, String defaultQueue) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("schedule", s.spec());
        m.put("zone", s.zone());
        m.put("type", s.task().type());
        m.put("queue", s.task().queue() == null ? defaultQueue : s.task().queue());
        m.put("payload", s.task().payload() instanceof RawJson raw ? embed(raw.json()) : s.task().payload());
        m.put("priority", s.task().priority());
        m.put("maxAttempts", s.task().maxAttempts());
        m.put("timeout", duration(s.task().timeout()));
        m.put("misfire", lower(s.misfire()));
        m.put("overlap", lower(s.overlap()));
        m.put("source", s.source());
        m.put("nextFireTime", time(s.nextFireTime()));
        m.put("updatedAt", time(s.updatedAt()));
        return m;
    }

    /** A workflow with its steps and their states. */
    static Map<String, Object> workflow(WorkflowInfo w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("status", lower(w.status()));
        m.put("policy", lower(w.policy()));
        List<Map<String, Object>> steps = new ArrayList<>();
        for (WorkflowInfo.StepInfo s : w.steps()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("name", s.name());
            sm.put("taskId", s.taskId());
            sm.put("type", s.type());
            sm.put("queue", s.queue());
            sm.put("dependsOn", s.dependsOn());
            sm.put("state", lower(s.state()));
            steps.add(sm);
        }
        m.put("steps", steps);
        m.put("result", embed(w.resultJson()));
        return m;
    }

    static String clip(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max) + "…";
    }
}
