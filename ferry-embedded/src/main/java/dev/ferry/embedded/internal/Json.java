package dev.ferry.embedded.internal;

import dev.ferry.TaskError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON shapes stored in TEXT columns: headers (an object of strings), worker queues (an
 * array of strings) and the error history (an array of objects). Built with the tree model so
 * the stored shape is explicit and does not depend on how Jackson maps records.
 */
final class Json {
    private Json() {
    }

    /** Errors kept per task: the most recent ones. */
    static final int MAX_ERRORS = 10;

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /** Headers as a JSON object, or null for none (most tasks: saves space and a parse). */
    static String headers(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode();
        headers.forEach(node::put);
        return MAPPER.writeValueAsString(node);
    }

    static Map<String, String> headers(String json) {
        if (json == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        MAPPER.readTree(json).properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    static String strings(List<String> values) {
        ArrayNode node = MAPPER.createArrayNode();
        values.forEach(node::add);
        return MAPPER.writeValueAsString(node);
    }

    static List<String> strings(String json) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : MAPPER.readTree(json)) {
            out.add(n.asString());
        }
        return out;
    }

    static List<TaskError> errors(String json) {
        if (json == null) {
            return List.of();
        }
        List<TaskError> out = new ArrayList<>();
        for (JsonNode n : MAPPER.readTree(json)) {
            JsonNode at = n.path("at");
            out.add(new TaskError(
                    n.path("attempt").asInt(),
                    n.path("type").asString(""),
                    n.path("message").asString(""),
                    n.path("stackTrace").asString(""),
                    at.isMissingNode() || at.isNull() ? null : Instant.parse(at.asString())));
        }
        return out;
    }

    /** The stored history with {@code error} appended, keeping the last {@link #MAX_ERRORS}. */
    static String appendError(String json, TaskError error) {
        ArrayNode array = json == null ? MAPPER.createArrayNode() : (ArrayNode) MAPPER.readTree(json);
        ObjectNode node = array.addObject();
        node.put("attempt", error.attempt());
        node.put("type", error.errorType());
        node.put("message", error.message());
        node.put("stackTrace", error.stackTrace());
        // ISO text keeps the instant exactly (epoch millis would drop sub-millisecond digits).
        if (error.at() != null) {
            node.put("at", error.at().toString());
        }
        while (array.size() > MAX_ERRORS) {
            array.remove(0);
        }
        return MAPPER.writeValueAsString(array);
    }
}
