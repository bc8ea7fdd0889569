package dev.ferry.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.Ferry;
import dev.ferry.server.FerryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The small HTTP endpoint of {@code ferry worker --health-port} and {@code ferry scheduler
 * --health-port}, for Kubernetes probes and Prometheus: {@code /healthz} (the process answers;
 * deliberately not the broker, so a broker outage does not restart every pod), {@code /readyz}
 * (running and the broker answers) and {@code /metrics} (Ferry's meters, including this process's
 * task timings). Read-only: no task data beyond metric labels, no mutations.
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FerryMetrics metrics;

    HealthServer(String host, int port, Ferry ferry, BooleanSupplier running) throws IOException {
        this.metrics = new FerryMetrics(ferry.inspector());
        metrics.bindTo(registry);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/healthz", ex -> reply(ex, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", ex -> {
            boolean ready = running.getAsBoolean();
            String why = ready ? "ok" : "not running";
            if (ready) {
                try {
                    ferry.inspector().queue("default"); // one cheap read: the broker answers
                } catch (RuntimeException e) {
                    ready = false;
                    why = "broker unreachable: " + e.getMessage();
                }
            }
            reply(ex, ready ? 200 : 503, "text/plain", why + "\n");
        });
        server.createContext("/metrics", ex -> {
            try {
                metrics.refresh();
            } catch (RuntimeException e) {
                // serve the last values: the gauges show the broker as it last answered
            }
            reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        server.start();
    }

    /** The listener to add to a worker so its task timings reach {@code /metrics}. */
    FerryMetrics metrics() {
        return metrics;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!List.of("GET", "HEAD").contains(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(status, "HEAD".equals(ex.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        metrics.close();
        registry.close();
    }
}
