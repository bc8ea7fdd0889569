package dev.ferry.server;

import dev.ferry.RawJson;
import dev.ferry.Task;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/queues/{queue}/tasks}, read field by field so that every
 * refusal names the field: an unknown field, a wrong JSON type, a bad duration or instant. The
 * rules on values (names, ranges, sizes) stay the {@link dev.ferry.Client}'s, which names the
 * field the same way.
 */
final class EnqueueRequest {
    static final Set<String> FIELDS = Set.of("type", "payload", "priority", "delay", "runAt", "maxAttempts", "timeout",
            "uniqueKey", "uniqueFor", "id", "retention", "headers", "tenant", "key");

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private EnqueueRequest() {
    }

    /** The task the body describes, on {@code queue}. Throws {@link HttpError} 400 naming the field. */
    static Parsed parse(byte[] body, String queue) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw HttpError.badRequest("body", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw HttpError.badRequest("body", "is empty: expected a JSON object with at least \"type\" and \"payload\"");
        }
        if (!root.isObject()) {
            throw HttpError.badRequest("body", "expected a JSON object, got " + kind(root));
        }
        for (String name : root.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw HttpError.badRequest(name, "unknown field; expected some of " + new java.util.TreeSet<>(FIELDS)
                        + (name.equals("queue") ? " (the queue is the one in the path)" : ""));
            }
        }
        String type = string(root, "type", true);
        JsonNode payload = root.get("payload");
        if (payload == null) {
            throw HttpError.badRequest("payload", "is required (any JSON value; {} for none)");
        }
        String payloadJson = Json.MAPPER.writeValueAsString(payload);
        Task task = Task.of(type, new RawJson(payloadJson)).queue(queue);
        Integer priority = integer(root, "priority");
        if (priority != null) {
            task = task.priority(priority);
        }
        Duration delay = duration(root, "delay");
        Instant runAt = instant(root, "runAt");
        if (delay != null && runAt != null) {
            throw HttpError.badRequest("delay", "set delay or runAt, not both");
        }
        if (delay != null) {
            task = task.delay(delay);
        }
        if (runAt != null) {
            task = task.runAt(runAt);
        }
        Integer maxAttempts = integer(root, "maxAttempts");
        if (maxAttempts != null) {
            task = task.maxAttempts(maxAttempts);
        }
        Duration timeout = duration(root, "timeout");
        if (timeout != null) {
            task = task.timeout(timeout);
        }
        String uniqueKey = string(root, "uniqueKey", false);
        Duration uniqueFor = duration(root, "uniqueFor");
        if (uniqueKey != null || uniqueFor != null) {
            if (uniqueKey != null && uniqueFor == null) {
                throw HttpError.badRequest("uniqueFor", "is required with uniqueKey (how long the key is held at most, e.g. \"1h\")");
            }
            task = task.unique(uniqueKey, uniqueFor);
        }
        String id = string(root, "id", false);
        if (id != null) {
            task = task.id(id);
        }
        Duration retention = duration(root, "retention");
        if (retention != null) {
            task = task.retention(retention);
        }
        JsonNode headers = root.get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                throw HttpError.badRequest("headers", "expected an object of string values, got " + kind(headers));
            }
            Map<String, String> h = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : headers.properties()) {
                if (!e.getValue().isString()) {
                    throw HttpError.badRequest("headers." + e.getKey(), "expected a string, got " + kind(e.getValue()));
                }
                h.put(e.getKey(), e.getValue().stringValue());
            }
            for (Map.Entry<String, String> e : h.entrySet()) {
                task = task.header(e.getKey(), e.getValue());
            }
        }
        String tenant = string(root, "tenant", false);
        if (tenant != null) {
            task = task.tenant(tenant);
        }
        String key = string(root, "key", false);
        if (key != null) {
            task = task.key(key);
        }
        return new Parsed(task, payloadJson);
    }

    /** The task, and its payload as the JSON text that will be stored (for the size check). */
    record Parsed(Task task, String payloadJson) {
    }

    static String string(JsonNode root, String field, boolean required) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw HttpError.badRequest(field, "is required");
            }
            return null;
        }
        if (!n.isString()) {
            throw HttpError.badRequest(field, "expected a string, got " + kind(n));
        }
        return n.stringValue();
    }

    static Integer integer(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw HttpError.badRequest(field, "expected an integer, got " + (n.isNumber() ? n.toString() : kind(n)));
        }
        return n.intValue();
    }

    /**
     * A duration as a number of seconds ({@code 1.5}), an ISO-8601 duration ({@code "PT10S"}) or a
     * short form ({@code "250ms"}, {@code "10s"}, {@code "5m"}, {@code "2h"}, {@code "1d"}, {@code "1h30m"}).
     */
    static Duration duration(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isNumber()) {
            BigDecimal seconds = n.decimalValue();
            try {
                return Duration.ofNanos(seconds.movePointRight(9).longValueExact());
            } catch (ArithmeticException e) {
                throw HttpError.badRequest(field, "duration " + n + " seconds is out of range");
            }
        }
        if (!n.isString()) {
            throw HttpError.badRequest(field, "expected a duration (seconds as a number, \"10s\" or \"PT10S\"), got " + kind(n));
        }
        return parseDuration(field, n.stringValue());
    }

    static Duration parseDuration(String field, String text) {
        String s = text.trim();
        boolean negative = s.startsWith("-");
        String body = negative ? s.substring(1) : s;
        if (body.toUpperCase(java.util.Locale.ROOT).startsWith("P")) {
            try {
                Duration d = Duration.parse(body);
                return negative ? d.negated() : d;
            } catch (DateTimeParseException e) {
                throw HttpError.badRequest(field, "'" + text + "' is not an ISO-8601 duration such as PT10S");
            }
        }
        Matcher m = SHORT_DURATION.matcher(body);
        Duration total = Duration.ZERO;
        int at = 0;
        boolean any = false;
        while (at < body.length() && m.find(at) && m.start() == at) {
            BigDecimal amount = new BigDecimal(m.group(1));
            long nanosPerUnit = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 86_400_000_000_000L;
            };
            try {
                total = total.plusNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact());
            } catch (ArithmeticException e) {
                throw HttpError.badRequest(field, "'" + text + "' is out of range");
            }
            at = m.end();
            any = true;
        }
        if (!any || at != body.length()) {
            throw HttpError.badRequest(field, "'" + text + "' is not a duration: use e.g. \"250ms\", \"10s\", \"5m\", \"1h30m\", \"PT10S\" or a number of seconds");
        }
        return negative ? total.negated() : total;
    }

    private static Instant instant(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isString()) {
            throw HttpError.badRequest(field, "expected an ISO-8601 instant such as \"2030-01-01T09:00:00Z\", got " + kind(n));
        }
        String s = n.stringValue();
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw HttpError.badRequest(field, "'" + s + "' is not an ISO-8601 instant with an offset, such as 2030-01-01T09:00:00Z");
        }
    }

    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
