package dev.ferry.cli;

import dev.ferry.InvalidInputException;
import dev.ferry.RawJson;
import dev.ferry.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One task per JSON line, for {@code ferry enqueue --from}:
 * <pre>{@code
 * {"queue":"default","type":"demo.echo","payload":{"hello":"world"},"priority":10,"delay":"30s"}
 * }</pre>
 * Fields: {@code queue}, {@code type}, {@code payload} (any JSON value, default {@code {}}),
 * {@code priority}, {@code delay} or {@code at}, {@code maxAttempts}, {@code timeout},
 * {@code uniqueKey}, {@code uniqueFor}, {@code id}, {@code headers} (an object of strings),
 * {@code tenant}, {@code key}.
 * Durations are text as on the command line ({@code "10s"}) or a number of milliseconds. An
 * unknown field is refused, so a typo does not silently drop an option.
 */
final class TaskLines {
    static final Set<String> FIELDS = Set.of("queue", "type", "payload", "priority", "delay", "at", "maxAttempts",
            "timeout", "uniqueKey", "uniqueFor", "id", "headers", "tenant", "key");

    private TaskLines() {
    }

    /** Parses one line into a task; the client still validates it. Bad lines throw naming the field. */
    static Task parse(String line) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (JacksonException e) {
            throw new InvalidInputException("line", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidInputException("line", "must be a JSON object with at least queue and type");
        }
        for (String name : node.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new InvalidInputException(name, "unknown field; expected some of " + new java.util.TreeSet<>(FIELDS));
            }
        }
        String type = text(node, "type", true);
        JsonNode payload = node.get("payload");
        String payloadJson = payload == null || payload.isMissingNode() ? "{}" : Json.MAPPER.writeValueAsString(payload);
        Task task = Task.of(type, new RawJson(payloadJson)).queue(text(node, "queue", true));
        Integer priority = integer(node, "priority");
        if (priority != null) {
            task = task.priority(priority);
        }
        Duration delay = duration(node, "delay");
        Instant at = instant(node, "at");
        if (delay != null && at != null) {
            throw new InvalidInputException("delay", "delay and at are mutually exclusive");
        }
        if (delay != null) {
            task = task.delay(delay);
        }
        if (at != null) {
            task = task.runAt(at);
        }
        Integer maxAttempts = integer(node, "maxAttempts");
        if (maxAttempts != null) {
            task = task.maxAttempts(maxAttempts);
        }
        Duration timeout = duration(node, "timeout");
        if (timeout != null) {
            task = task.timeout(timeout);
        }
        String uniqueKey = text(node, "uniqueKey", false);
        Duration uniqueFor = duration(node, "uniqueFor");
        if (uniqueKey != null || uniqueFor != null) {
            task = task.unique(uniqueKey, uniqueFor);
        }
        String id = text(node, "id", false);
        if (id != null) {
            task = task.id(id);
        }
        JsonNode headers = node.get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                throw new InvalidInputException("headers", "must be an object of strings");
            }
            for (Map.Entry<String, JsonNode> h : headers.properties()) {
                if (!h.getValue().isString()) {
                    throw new InvalidInputException("headers", "value of '" + h.getKey() + "' must be a string");
                }
                task = task.header(h.getKey(), h.getValue().stringValue());
            }
        }
        String tenant = text(node, "tenant", false);
        if (tenant != null) {
            task = task.tenant(tenant);
        }
        String key = text(node, "key", false);
        if (key != null) {
            task = task.key(key);
        }
        return task;
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidInputException(field, "is required");
            }
            return null;
        }
        if (!v.isString()) {
            throw new InvalidInputException(field, "must be a string, was " + v);
        }
        return v.stringValue();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InvalidInputException(field, "must be a whole number, was " + v);
        }
        return v.intValue();
    }

    private static Duration duration(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        Duration d;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            d = Duration.ofMillis(v.longValue());
        } else if (v.isString()) {
            try {
                d = Durations.parse(v.stringValue());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(field, e.getMessage());
            }
        } else {
            throw new InvalidInputException(field, "must be a duration such as \"10s\" or a number of milliseconds, was " + v);
        }
        if (d.isNegative()) {
            throw new InvalidInputException(field, "must not be negative, was " + v);
        }
        return d;
    }

    private static Instant instant(JsonNode node, String field) {
        String text = text(node, field, false);
        if (text == null) {
            return null;
        }
        try {
            return Instants.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, e.getMessage());
        }
    }
}
