package dev.ferry.internal;

import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.RawJson;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * Jackson 3 behind {@link JsonCodec}. Types come only from the receiving code: no default
 * typing, no class names in JSON. Unknown properties are ignored so producers can add fields
 * before every worker knows them.
 */
public final class JacksonCodec implements JsonCodec {
    private final JsonMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(new SimpleModule("ferry-raw-json").addSerializer(RawJson.class, new RawJsonSerializer()))
            .build();

    /** A RawJson inside a map, list or record is written as its JSON, as it is at the top level. */
    private static final class RawJsonSerializer extends ValueSerializer<RawJson> {
        @Override
        public void serialize(RawJson value, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeRawValue(value.json());
        }
    }

    @Override
    public String encode(Object value) {
        if (value instanceof RawJson raw) {
            checkSyntax("payload", raw.json());
            return raw.json();
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new InvalidInputException("payload", "cannot be encoded as JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public <T> T decode(String json, Class<T> type) {
        if (type == RawJson.class) {
            return type.cast(new RawJson(json));
        }
        try {
            return mapper.readValue(json, type);
        } catch (JacksonException e) {
            throw new InvalidInputException("payload", "does not bind to " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }

    @Override
    public void checkSyntax(String field, String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidInputException(field, "must be JSON, was empty");
        }
        try {
            mapper.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidInputException(field, "is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
