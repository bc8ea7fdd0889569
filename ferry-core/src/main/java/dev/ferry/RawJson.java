package dev.ferry;

/**
 * A payload or result that is already JSON text, passed through as it is (after a syntax check).
 * Used by the CLI and the HTTP API, where payloads arrive as JSON from other languages.
 */
public record RawJson(String json) {
    public RawJson {
        if (json == null) {
            throw new InvalidInputException("payload", "must not be null");
        }
    }

    @Override
    public String toString() {
        return json;
    }
}
