package dev.ferry.server;

import dev.ferry.Ferry;
import dev.ferry.TaskDefaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * A real server on a real embedded broker (an SQLite file in a temporary directory), and an HTTP
 * client to talk to it over the loopback interface.
 */
final class TestServer implements AutoCloseable {
    final Ferry ferry;
    final FerryServer server;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(Ferry ferry, FerryServer server) {
        this.ferry = ferry;
        this.server = server;
    }

    static TestServer start(Path dir) {
        return start(dir, TaskDefaults.standard(), b -> b);
    }

    static TestServer start(Path dir, TaskDefaults defaults, UnaryOperator<FerryServer.Builder> config) {
        Ferry ferry = Ferry.builder().brokerUrl("sqlite:" + dir.resolve("ferry.db")).defaults(defaults).build();
        try {
            FerryServer.Builder b = FerryServer.builder(ferry).port(0)
                    .sampleInterval(Duration.ofMillis(100))
                    .dashboardRefresh(Duration.ofMillis(200));
            return new TestServer(ferry, config.apply(b).build().start());
        } catch (RuntimeException e) {
            ferry.close();
            throw e;
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    URI uri(String path) {
        return URI.create(base() + path);
    }

    HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return b;
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    /** A JSON post, as an API client sends it. */
    HttpResponse<String> postJson(String path, String json, String... headers) {
        return send(request(path, withJson(headers)).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> post(String path, String contentType, String body, String... headers) {
        List<String> h = new ArrayList<>(List.of(headers));
        if (contentType != null) {
            h.add("Content-Type");
            h.add(contentType);
        }
        return send(request(path, h.toArray(String[]::new)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> delete(String path, String... headers) {
        return send(request(path, withJson(headers)).DELETE().build());
    }

    private static String[] withJson(String... headers) {
        List<String> h = new ArrayList<>(List.of(headers));
        h.add("Content-Type");
        h.add("application/json");
        return h.toArray(String[]::new);
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }

    /** Enqueues through the API and returns the new task's id. */
    String enqueue(String queue, String body, String... headers) {
        HttpResponse<String> r = postJson("/api/v1/queues/" + queue + "/tasks", body, headers);
        if (r.statusCode() != 201) {
            throw new AssertionError("enqueue failed: " + r.statusCode() + " " + r.body());
        }
        return json(r).get("id").stringValue();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            ferry.close();
        }
    }
}
