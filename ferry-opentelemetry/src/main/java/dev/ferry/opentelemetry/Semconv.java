package dev.ferry.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Map;

/**
 * The attribute names of the OpenTelemetry messaging semantic conventions that Ferry's spans carry,
 * and the carrier adapters for task headers. Kept here instead of depending on the incubating
 * semconv artifact, whose constants move between releases.
 */
final class Semconv {
    static final String SYSTEM = "ferry";
    static final String SEND = "send";
    static final String PROCESS = "process";

    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    // System-specific attributes live under messaging.<system>, as the conventions require.
    static final AttributeKey<String> TASK_TYPE = AttributeKey.stringKey("messaging.ferry.task.type");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("messaging.ferry.task.attempt");
    static final AttributeKey<Long> MAX_ATTEMPTS = AttributeKey.longKey("messaging.ferry.task.max_attempts");
    static final AttributeKey<String> ENQUEUE_STATUS = AttributeKey.stringKey("messaging.ferry.enqueue.status");
    static final AttributeKey<Long> DUPLICATES = AttributeKey.longKey("messaging.ferry.enqueue.duplicates");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("messaging.ferry.task.outcome");

    /** Reads task headers (an immutable map) as a propagation carrier. */
    static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        // Deprecated in the API, but still what prefix-based propagators (Jaeger or OT baggage) read.
        @Override
        @SuppressWarnings("deprecation")
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /** Collects injected fields into a mutable map, applied to the tasks afterwards. */
    static final TextMapSetter<Map<String, String>> SETTER = (carrier, key, value) -> {
        if (carrier != null && key != null && value != null) {
            carrier.put(key, value);
        }
    };

    private Semconv() {
    }
}
