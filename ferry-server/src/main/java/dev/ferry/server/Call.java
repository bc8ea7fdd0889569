package dev.ferry.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request being handled: its route parameters, query, body (read with a size limit),
 * the authenticated caller, and the ways to answer. Handlers answer exactly once.
 */
final class Call {
    private final HttpExchange exchange;
    private final Map<String, String> pathParams;
    private final long maxBodyBytes;
    private Map<String, List<String>> query;
    private Map<String, List<String>> form;
    private byte[] body;
    private Security.Principal principal;
    private String csrfToken;
    private boolean answered;

    Call(HttpExchange exchange, Map<String, String> pathParams, long maxBodyBytes) {
        this.exchange = exchange;
        this.pathParams = pathParams;
        this.maxBodyBytes = maxBodyBytes;
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String rawPath() {
        return exchange.getRequestURI().getRawPath();
    }

    /** The path and query as sent, for redirects back to the same page. */
    String rawPathAndQuery() {
        String q = exchange.getRequestURI().getRawQuery();
        return rawPath() + (q == null ? "" : "?" + q);
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    Headers requestHeaders() {
        return exchange.getRequestHeaders();
    }

    Headers responseHeaders() {
        return exchange.getResponseHeaders();
    }

    /** A path parameter ({@code {queue}} in the route's pattern), already URL-decoded. */
    String param(String name) {
        String v = pathParams.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no parameter " + name);
        }
        return v;
    }

    /** The first value of a query parameter, or null. */
    String query(String name) {
        List<String> values = queryParams().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Every value of a query parameter (repeated or comma-separated). */
    List<String> queryAll(String name) {
        List<String> out = new ArrayList<>();
        for (String v : queryParams().getOrDefault(name, List.of())) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    Map<String, List<String>> queryParams() {
        if (query == null) {
            query = parseForm(exchange.getRequestURI().getRawQuery());
        }
        return query;
    }

    /** An integer query parameter within bounds, or the default when absent. */
    int intQuery(String name, int defaultValue, int min, int max) {
        String v = query(name);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name, "expected an integer, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw HttpError.badRequest(name, "must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }

    /** The content type without parameters, lower case, or "" when absent. */
    String contentType() {
        String ct = header("Content-Type");
        if (ct == null) {
            return "";
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /**
     * The request body, at most {@code maxBodyBytes}: a declared Content-Length over the limit is
     * refused before anything is read, and a chunked body is cut off as soon as it passes it.
     */
    byte[] body() throws IOException {
        if (body != null) {
            return body;
        }
        String declared = header("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "invalid_input", "Content-Length '" + declared + "' is not a number");
            }
            if (length > maxBodyBytes) {
                throw tooLarge(length);
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBodyBytes) {
                    throw tooLarge(total);
                }
                out.write(buf, 0, n);
            }
            body = out.toByteArray();
        }
        return body;
    }

    private HttpError tooLarge(long size) {
        return new HttpError(413, "payload_too_large", "body", "request body is " + (size > maxBodyBytes ? "over " : "")
                + maxBodyBytes + " bytes, the limit (keep payloads small: enqueue a reference to large data)", Map.of("limitBytes", maxBodyBytes));
    }

    /** The fields of an {@code application/x-www-form-urlencoded} body. */
    Map<String, List<String>> form() throws IOException {
        if (form == null) {
            form = contentType().equals("application/x-www-form-urlencoded")
                    ? parseForm(new String(body(), StandardCharsets.UTF_8))
                    : Map.of();
        }
        return form;
    }

    String formField(String name) throws IOException {
        List<String> v = form().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    Security.Principal principal() {
        return principal;
    }

    void principal(Security.Principal principal) {
        this.principal = principal;
    }

    /** The CSRF token for forms on the page being rendered (set by the router for page routes). */
    String csrfToken() {
        return csrfToken;
    }

    void csrfToken(String token) {
        this.csrfToken = token;
    }

    boolean answered() {
        return answered;
    }

    void send(int status, String contentType, byte[] bytes) throws IOException {
        answered = true;
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean noBody = bytes == null || status == 204 || status == 304 || "HEAD".equals(method());
        exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length);
        if (!noBody) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    void json(int status, Object value) throws IOException {
        send(status, "application/json; charset=utf-8", Json.bytes(value));
    }

    void html(int status, String html) throws IOException {
        send(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    /** 303 See Other: after a form post, the browser GETs the page again. */
    void redirect(String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        send(303, null, null);
    }

    static Map<String, List<String>> parseForm(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "invalid_input", "malformed percent-encoding in '" + s + "'");
        }
    }
}
