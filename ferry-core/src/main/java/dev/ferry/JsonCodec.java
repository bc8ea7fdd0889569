package dev.ferry;

/**
 * Turns payloads and results into JSON text and back. The default is Jackson 3
 * ({@link #jackson()}); types are always named by the receiving code, never by the JSON itself
 * (no polymorphic type ids, no Java serialization).
 */
public interface JsonCodec {

    /** Encodes a value as JSON text. {@link RawJson} is passed through after a syntax check. */
    String encode(Object value);

    /** Decodes JSON text into the given type. */
    <T> T decode(String json, Class<T> type);

    /** Throws {@link InvalidInputException} for {@code field} unless {@code json} is one valid JSON value. */
    void checkSyntax(String field, String json);

    /** The default codec: Jackson 3 with Ferry's settings. */
    static JsonCodec jackson() {
        return new dev.ferry.internal.JacksonCodec();
    }
}
