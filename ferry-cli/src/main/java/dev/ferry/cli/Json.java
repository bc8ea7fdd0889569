package dev.ferry.cli;

import dev.ferry.QueueStats;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code --json} shapes. Built field by field rather than by reflecting over the records, so
 * the names stay stable when a record gains a component: camelCase, instants as ISO-8601 UTC
 * strings, durations as ISO-8601 durations, states and reasons in lowercase, payloads and results
 * embedded as JSON values (not strings).
 */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Pretty-printed, as the CLI prints every JSON document. */
    static String pretty(JsonNode node) {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    /** Parses stored JSON text; text that is somehow not JSON is kept as a string rather than lost. */
    static JsonNode value(String json) {
        if (json == null) {
            return MAPPER.nullNode();
        }
        try {
            return MAPPER.readTree(json);
        } catch (JacksonException e) {
            return MAPPER.getNodeFactory().stringNode(json);
        }
    }

    /** Stored JSON text pretty-printed for people. */
    static String prettyText(String json) {
        return json == null ? "-" : pretty(value(json));
    }

    static String lower(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT);
    }

    private static void put(ObjectNode n, String name, Instant instant) {
        if (instant == null) {
            n.putNull(name);
        } else {
            n.put(name, instant.toString());
        }
    }

    private static void put(ObjectNode n, String name, Duration duration) {
        if (duration == null) {
            n.putNull(name);
        } else {
            n.put(name, duration.toString());
        }
    }

    /** One queue: a count per state (lowercase state names), the totals, paused, oldest pending. */
    static ObjectNode queue(QueueStats s, Instant now) {
        ObjectNode n = object();
        n.put("queue", s.queue());
        for (TaskState state : TaskState.values()) {
            n.put(lower(state), s.count(state));
        }
        n.put("paused", s.paused());
        n.put("processed", s.processedTotal());
        n.put("failed", s.failedTotal());
        n.put("deadTotal", s.deadTotal());
        n.put("poisonedTotal", s.poisonedTotal());
        put(n, "oldestPendingAt", s.oldestPendingAt());
        if (s.oldestPendingAt() == null) {
            n.putNull("oldestPendingAgeMs");
        } else {
            n.put("oldestPendingAgeMs", Math.max(0, Duration.between(s.oldestPendingAt(), now).toMillis()));
        }
        return n;
    }

    /** Every stored field of a task. */
    static ObjectNode task(TaskInfo t) {
        ObjectNode n = object();
        n.put("id", t.id());
        n.put("queue", t.queue());
        n.put("type", t.type());
        n.put("state", lower(t.state()));
        n.put("priority", t.priority());
        n.put("attempt", t.attempt());
        n.put("maxAttempts", t.maxAttempts());
        put(n, "timeout", t.timeout());
        put(n, "runAt", t.runAt());
        put(n, "enqueuedAt", t.enqueuedAt());
        put(n, "startedAt", t.startedAt());
        put(n, "finishedAt", t.finishedAt());
        put(n, "expiresAt", t.expiresAt());
        put(n, "leaseExpiresAt", t.leaseExpiresAt());
        n.put("workerId", t.workerId());
        n.put("uniqueKey", t.uniqueKey());
        n.set("payload", value(t.payloadJson()));
        n.set("progress", value(t.progressJson()));
        n.set("result", value(t.resultJson()));
        ArrayNode errors = n.putArray("errors");
        for (TaskError e : t.errors()) {
            ObjectNode en = errors.addObject();
            en.put("attempt", e.attempt());
            en.put("errorType", e.errorType());
            en.put("message", e.message());
            en.put("stackTrace", e.stackTrace());
            put(en, "at", e.at());
        }
        n.put("leaseExpirations", t.leaseExpirations());
        n.put("cancelRequested", t.cancelRequested());
        n.put("deadReason", lower(t.deadReason()));
        ObjectNode headers = n.putObject("headers");
        for (Map.Entry<String, String> h : new TreeMap<>(t.headers()).entrySet()) {
            headers.put(h.getKey(), h.getValue());
        }
        put(n, "retention", t.retention());
        put(n, "deadRetention", t.deadRetention());
        return n;
    }

    static ObjectNode worker(WorkerInfo w) {
        ObjectNode n = object();
        n.put("workerId", w.workerId());
        n.put("host", w.host());
        n.put("pid", w.pid());
        ArrayNode queues = n.putArray("queues");
        w.queues().forEach(queues::add);
        n.put("concurrency", w.concurrency());
        n.put("busy", w.busy());
        put(n, "startedAt", w.startedAt());
        put(n, "lastHeartbeat", w.lastHeartbeat());
        return n;
    }
}
