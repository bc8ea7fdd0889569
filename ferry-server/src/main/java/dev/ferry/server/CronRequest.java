package dev.ferry.server;

import dev.ferry.InvalidInputException;
import dev.ferry.MisfirePolicy;
import dev.ferry.OverlapPolicy;
import dev.ferry.RawJson;
import dev.ferry.Task;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/cron}, read field by field so that every refusal names the
 * field as the body spells it. The rules on values (name, schedule, zone, the task) stay the
 * core's ({@link dev.ferry.CronSchedules#add}); {@link #bodyField} maps the field names the core
 * uses to the body's.
 */
final class CronRequest {
    static final Set<String> FIELDS = Set.of("name", "schedule", "zone", "type", "payload", "queue", "priority", "maxAttempts",
            "timeout", "misfire", "overlap");

    private CronRequest() {
    }

    /** A schedule to add: its task, and the payload as the JSON text that will be stored (for the size check). */
    record Parsed(String name, String schedule, String zone, Task task, String payloadJson, MisfirePolicy misfire,
                  OverlapPolicy overlap) {
    }

    /** Parses the body. Throws {@link HttpError} 400 naming the field. */
    static Parsed parse(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw HttpError.badRequest("body", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw HttpError.badRequest("body", "is empty: expected a JSON object with at least \"name\", \"schedule\" and \"type\"");
        }
        if (!root.isObject()) {
            throw HttpError.badRequest("body", "expected a JSON object, got " + EnqueueRequest.kind(root));
        }
        for (String field : root.propertyNames()) {
            if (!FIELDS.contains(field)) {
                throw HttpError.badRequest(field, "unknown field; expected some of " + new TreeSet<>(FIELDS)
                        + (field.equals("id") || field.equals("runAt") || field.equals("delay") ? " (each tick sets the task's id and run-at itself)" : ""));
            }
        }
        String name = EnqueueRequest.string(root, "name", true);
        String schedule = EnqueueRequest.string(root, "schedule", true);
        String zone = EnqueueRequest.string(root, "zone", false);
        String type = EnqueueRequest.string(root, "type", true);
        JsonNode payload = root.get("payload");
        // like `ferry cron add`: a schedule's task often needs no payload
        String payloadJson = payload == null ? "{}" : Json.MAPPER.writeValueAsString(payload);
        Task task = Task.of(type, new RawJson(payloadJson));
        String queue = EnqueueRequest.string(root, "queue", false);
        if (queue != null) {
            task = task.queue(queue);
        }
        Integer priority = EnqueueRequest.integer(root, "priority");
        if (priority != null) {
            task = task.priority(priority);
        }
        Integer maxAttempts = EnqueueRequest.integer(root, "maxAttempts");
        if (maxAttempts != null) {
            task = task.maxAttempts(maxAttempts);
        }
        Duration timeout = EnqueueRequest.duration(root, "timeout");
        if (timeout != null) {
            task = task.timeout(timeout);
        }
        MisfirePolicy misfire = policy(root, "misfire", MisfirePolicy.class, MisfirePolicy.FIRE_ONCE);
        OverlapPolicy overlap = policy(root, "overlap", OverlapPolicy.class, OverlapPolicy.ALLOW);
        return new Parsed(name, schedule, zone, task, payloadJson, misfire, overlap);
    }

    private static <E extends Enum<E>> E policy(JsonNode root, String field, Class<E> type, E defaultValue) {
        String text = EnqueueRequest.string(root, field, false);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(field, "unknown policy '" + text + "'; use one of "
                    + Arrays.stream(type.getEnumConstants()).map(Json::lower).toList());
        }
    }

    /**
     * The core's refusal, with its field renamed to the body's: {@code cron} and {@code every}
     * (the schedule's parts) become {@code schedule}, {@code task.type} becomes {@code type}.
     */
    static HttpError refusal(InvalidInputException e) {
        String problem = e.getMessage().startsWith(e.field() + ": ") ? e.getMessage().substring(e.field().length() + 2) : e.getMessage();
        return HttpError.badRequest(bodyField(e.field()), problem);
    }

    static String bodyField(String coreField) {
        return switch (coreField) {
            case "cron", "every" -> "schedule";
            default -> coreField.startsWith("task.") ? coreField.substring("task.".length()) : coreField;
        };
    }
}
