package dev.ferry.redis.internal;

import dev.ferry.DeadReason;
import dev.ferry.TaskError;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stored form of a task: a Redis hash with short field names (memory per task matters), and
 * small JSON documents for headers, errors and worker descriptions. Times are epoch milliseconds.
 *
 * <pre>
 * ty type   p payload   pr priority   s state code   a attempt   ma maxAttempts   to timeout ms
 * r runAt   e enqueuedAt   st startedAt   f finishedAt   x expiresAt   l leaseExpiresAt
 * w workerId   u uniqueKey   pg progress   res result   le leaseExpirations   cr cancelRequested
 * dr deadReason   h headers JSON   rt retention ms   dt deadRetention ms   sq sequence   tk token
 * ec errors ever appended; e0..e9 the last ten, a ring indexed by (count - 1) mod 10
 * </pre>
 * State codes: S scheduled, P pending, A active, R retrying, W waiting, C completed, D dead, X cancelled.
 */
public final class TaskCodec {
    static final int MAX_ERRORS = 10;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TaskCodec() {
    }

    public static TaskState state(String code) {
        return switch (code) {
            case "S" -> TaskState.SCHEDULED;
            case "P" -> TaskState.PENDING;
            case "A" -> TaskState.ACTIVE;
            case "R" -> TaskState.RETRYING;
            case "W" -> TaskState.WAITING;
            case "C" -> TaskState.COMPLETED;
            case "D" -> TaskState.DEAD;
            case "X" -> TaskState.CANCELLED;
            default -> throw new IllegalStateException("unknown stored task state '" + code + "'");
        };
    }

    public static String code(TaskState state) {
        return switch (state) {
            case SCHEDULED -> "S";
            case PENDING -> "P";
            case ACTIVE -> "A";
            case RETRYING -> "R";
            case WAITING -> "W";
            case COMPLETED -> "C";
            case DEAD -> "D";
            case CANCELLED -> "X";
        };
    }

    /** A stored task hash as the inspector shows it. */
    public static TaskInfo decode(String id, String queue, Map<String, String> h) {
        return new TaskInfo(id, queue, h.get("ty"), h.get("p"), integer(h, "pr"), state(h.get("s")), integer(h, "a"),
                integer(h, "ma"), Duration.ofMillis(number(h, "to")), instant(h, "r"), instant(h, "e"),
                instant(h, "st"), instant(h, "f"), instant(h, "x"), instant(h, "l"), h.get("w"), h.get("u"),
                h.get("pg"), h.get("res"), errors(h), integer(h, "le"), h.containsKey("cr"),
                h.containsKey("dr") ? DeadReason.valueOf(h.get("dr")) : null, headers(h.get("h")),
                Duration.ofMillis(number(h, "rt")), Duration.ofMillis(number(h, "dt")));
    }

    /** A flat HGETALL reply as a map. */
    public static Map<String, String> hash(List<?> flat) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            m.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return m;
    }

    private static List<TaskError> errors(Map<String, String> h) {
        int count = integer(h, "ec");
        List<TaskError> out = new ArrayList<>();
        for (int i = Math.max(0, count - MAX_ERRORS); i < count; i++) {
            String json = h.get("e" + (i % MAX_ERRORS));
            if (json != null) {
                out.add(error(json));
            }
        }
        return out;
    }

    /** The JSON of one error: {@code {"a":attempt,"t":type,"m":message,"s":stack,"at":instant}}. */
    public static String error(TaskError e) {
        if (e == null) {
            return "";
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("a", e.attempt());
        n.put("t", e.errorType());
        n.put("m", e.message());
        n.put("s", e.stackTrace());
        n.put("at", e.at() == null ? null : e.at().toString());
        return JSON.writeValueAsString(n);
    }

    static TaskError error(String json) {
        JsonNode n = JSON.readTree(json);
        JsonNode at = n.get("at");
        Instant when = at == null || at.isNull() ? null
                : at.isNumber() ? Instant.ofEpochMilli(at.asLong()) : Instant.parse(at.asString());
        return new TaskError(n.path("a").asInt(), n.path("t").asString(""), n.path("m").asString(""),
                n.path("s").asString(""), when);
    }

    public static String headers(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return "";
        }
        return JSON.writeValueAsString(headers);
    }

    public static Map<String, String> headers(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        JSON.readTree(json).properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    /** A worker's description, stored beside its heartbeat. */
    public static String worker(WorkerInfo w) {
        ObjectNode n = JSON.createObjectNode();
        n.put("host", w.host());
        n.put("pid", w.pid());
        var queues = n.putArray("queues");
        w.queues().forEach(queues::add);
        n.put("concurrency", w.concurrency());
        n.put("busy", w.busy());
        n.put("startedAt", w.startedAt() == null ? null : w.startedAt().toString());
        return JSON.writeValueAsString(n);
    }

    public static WorkerInfo worker(String id, String json, long lastBeatMillis) {
        JsonNode n = JSON.readTree(json);
        List<String> queues = new ArrayList<>();
        n.path("queues").forEach(q -> queues.add(q.asString()));
        JsonNode started = n.get("startedAt");
        return new WorkerInfo(id, n.path("host").asString(""), n.path("pid").asLong(), queues,
                n.path("concurrency").asInt(), n.path("busy").asInt(),
                started == null || started.isNull() ? null : Instant.parse(started.asString()),
                Instant.ofEpochMilli(lastBeatMillis));
    }

    static int integer(Map<String, String> h, String field) {
        String v = h.get(field);
        return v == null ? 0 : (int) Long.parseLong(v);
    }

    static long number(Map<String, String> h, String field) {
        String v = h.get(field);
        return v == null ? 0 : Long.parseLong(v);
    }

    private static Instant instant(Map<String, String> h, String field) {
        String v = h.get(field);
        return v == null ? null : Instant.ofEpochMilli(Long.parseLong(v));
    }

    /** A Redis integer or bulk reply as a long. */
    public static long asLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        if (o instanceof String s) {
            return Long.parseLong(s);
        }
        throw new IllegalStateException("expected a number from Redis, got " + o);
    }

    /** A Redis bulk reply as a string, '' for nil. */
    public static String asString(Object o) {
        return o == null ? "" : o.toString();
    }
}
