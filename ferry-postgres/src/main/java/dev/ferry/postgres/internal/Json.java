package dev.ferry.postgres.internal;

import dev.ferry.TaskError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON shapes stored in jsonb columns: headers (an object of strings) and the error history
 * (an array of {@code {attempt, errorType, message, stackTrace, at}} objects; recovery writes the
 * same shape in SQL). Built with the tree model so the stored shape is explicit.
 */
public final class Json {
    private Json() {
    }

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /** Headers as a JSON object, or null for none. */
    public static String headers(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode();
        headers.forEach(node::put);
        return MAPPER.writeValueAsString(node);
    }

    public static Map<String, String> headers(String json) {
        if (json == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        MAPPER.readTree(json).properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    /** One error as a JSON object, or null for none. */
    public static String error(TaskError error) {
        if (error == null) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode();
        node.put("attempt", error.attempt());
        node.put("errorType", error.errorType());
        node.put("message", error.message());
        node.put("stackTrace", error.stackTrace());
        node.put("at", error.at() == null ? null : error.at().toString());
        return MAPPER.writeValueAsString(node);
    }

    public static List<TaskError> errors(String json) {
        if (json == null) {
            return List.of();
        }
        List<TaskError> out = new ArrayList<>();
        for (JsonNode e : MAPPER.readTree(json)) {
            JsonNode at = e.get("at");
            out.add(new TaskError(e.path("attempt").asInt(), e.path("errorType").asString(""),
                    e.path("message").asString(""), e.path("stackTrace").asString(""),
                    at == null || at.isNull() ? null : Instant.parse(at.asString())));
        }
        return out;
    }
}
