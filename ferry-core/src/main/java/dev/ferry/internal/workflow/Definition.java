package dev.ferry.internal.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A started workflow as stored in its idempotency record {@code ferry-wf:<id>}: every step fully
 * resolved (defaults applied, payload encoded), so a worker can release a step without the
 * client's defaults. Immutable once stored.
 *
 * @param v          format version
 * @param id         workflow id
 * @param policy     failure policy name
 * @param steps      steps, dependencies before dependents
 * @param sinks      the last steps, whose results make the workflow's result
 * @param listResult true when the result is the list of the sinks' results
 */
record Definition(int v, String id, String policy, List<StepDef> steps, List<String> sinks, boolean listResult) {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** Deterministic JSON (fixed field order, sorted headers): equal definitions give equal text. */
    String toJson() {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("v", v);
        o.put("id", id);
        o.put("policy", policy);
        ArrayNode arr = o.putArray("steps");
        for (StepDef s : steps) {
            ObjectNode n = arr.addObject();
            n.put("name", s.name());
            n.put("type", s.type());
            n.put("queue", s.queue());
            n.put("priority", s.priority());
            n.put("delayMs", s.delayMs());
            n.put("maxAttempts", s.maxAttempts());
            n.put("timeoutMs", s.timeoutMs());
            n.put("retentionMs", s.retentionMs());
            n.put("deadRetentionMs", s.deadRetentionMs());
            ObjectNode h = n.putObject("headers");
            new TreeMap<>(s.headers()).forEach(h::put);
            if (s.payload() != null) {
                n.put("payload", s.payload());
            }
            ArrayNode d = n.putArray("deps");
            s.deps().forEach(d::add);
            n.put("input", s.input());
        }
        ArrayNode sk = o.putArray("sinks");
        sinks.forEach(sk::add);
        o.put("listResult", listResult);
        return MAPPER.writeValueAsString(o);
    }

    static Definition fromJson(String json) {
        JsonNode o = MAPPER.readTree(json);
        List<StepDef> steps = new ArrayList<>();
        for (JsonNode n : o.get("steps").values()) {
            Map<String, String> headers = new TreeMap<>();
            n.get("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asString()));
            JsonNode payload = n.get("payload");
            steps.add(new StepDef(n.get("name").asString(), n.get("type").asString(), n.get("queue").asString(),
                    n.get("priority").asInt(), n.get("delayMs").asLong(), n.get("maxAttempts").asInt(),
                    n.get("timeoutMs").asLong(), n.get("retentionMs").asLong(), n.get("deadRetentionMs").asLong(),
                    headers, payload == null || payload.isNull() ? null : payload.asString(),
                    strings(n.get("deps")), n.get("input").asString()));
        }
        return new Definition(o.get("v").asInt(), o.get("id").asString(), o.get("policy").asString(),
                List.copyOf(steps), strings(o.get("sinks")), o.get("listResult").asBoolean());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : array.values()) {
            out.add(e.asString());
        }
        return List.copyOf(out);
    }

    StepDef step(String name) {
        for (StepDef s : steps) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /**
     * One resolved step.
     *
     * @param name            step name
     * @param type            task type
     * @param queue           queue
     * @param priority        priority
     * @param delayMs         delay after release, in ms
     * @param maxAttempts     attempts
     * @param timeoutMs       per-attempt timeout
     * @param retentionMs     retention once completed
     * @param deadRetentionMs retention once dead
     * @param headers         the caller's headers (sorted)
     * @param payload         the payload JSON, or null when the input is the payload
     * @param deps            dependencies, in input order
     * @param input           NONE, SINGLE or LIST
     */
    record StepDef(String name, String type, String queue, int priority, long delayMs, int maxAttempts, long timeoutMs,
                   long retentionMs, long deadRetentionMs, Map<String, String> headers, String payload,
                   List<String> deps, String input) {
    }

    /**
     * A finished step as stored in {@code ferry-wf:<id>:<step>} (set-if-absent: the first one stays).
     *
     * @param ok     true when it completed
     * @param result its result JSON (null when it returned nothing, or failed)
     * @param state  COMPLETED, DEAD or CANCELLED
     * @param error  why it failed, or null
     */
    record StepRecord(boolean ok, String result, String state, String error) {

        String toJson() {
            ObjectNode o = MAPPER.createObjectNode();
            o.put("ok", ok);
            o.put("result", result);
            o.put("state", state);
            o.put("error", error);
            return MAPPER.writeValueAsString(o);
        }

        static StepRecord fromJson(String json) {
            JsonNode o = MAPPER.readTree(json);
            return new StepRecord(o.get("ok").asBoolean(), text(o.get("result")), text(o.get("state")), text(o.get("error")));
        }

        private static String text(JsonNode n) {
            return n == null || n.isNull() ? null : n.asString();
        }
    }
}
