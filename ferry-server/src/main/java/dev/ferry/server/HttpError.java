package dev.ferry.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request refused with a status code, a short machine-readable code and a message that names
 * the problem. The router turns it into a JSON body (API routes) or an HTML page (dashboard).
 */
final class HttpError extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;
    private final Map<String, Object> extra;

    HttpError(int status, String code, String message) {
        this(status, code, null, message, Map.of());
    }

    HttpError(int status, String code, String field, String message, Map<String, Object> extra) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.extra = new LinkedHashMap<>(extra);
    }

    static HttpError badRequest(String field, String message) {
        return new HttpError(400, "invalid_input", field, field + ": " + message, Map.of());
    }

    static HttpError notFound(String message) {
        return new HttpError(404, "not_found", message);
    }

    static HttpError conflict(String code, String message, Map<String, Object> extra) {
        return new HttpError(409, code, null, message, extra);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String field() {
        return field;
    }

    Map<String, Object> extra() {
        return extra;
    }
}
