package dev.ferry.server;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Ferry's HTTP server: the JSON API under {@code /api/v1}, the web dashboard at {@code /},
 * Prometheus metrics at {@code /metrics}, health at {@code /healthz} and {@code /readyz}. It
 * reads and administers through the public {@link dev.ferry.Client}, {@link dev.ferry.Inspector}
 * and {@link dev.ferry.CronSchedules} only, so it works on every backend. Embeddable in any JVM
 * application; {@code ferry server} runs one.
 *
 * <pre>{@code
 * try (Ferry ferry = Ferry.open("sqlite:./ferry.db");
 *      FerryServer server = FerryServer.builder(ferry).port(7070).build().start()) {
 *     ferry.worker().listener(server.metrics()).handle(...).start();
 *     System.out.println("dashboard: " + server.url());
 *     ...
 * }
 * }</pre>
 *
 * <h2>Security by default</h2>
 * It binds {@code 127.0.0.1} unless told otherwise, and refuses to start on any other address
 * without credentials ({@link Builder#auth(ServerAuth)}). Callers have a {@link Role}: viewers
 * read, operators also mutate. Every mutating route is protected against cross-site request
 * forgery, every response carries a Content-Security-Policy without inline script and denies
 * framing, and every piece of task data is HTML-escaped.
 *
 * <p>Requests run on virtual threads of the JDK's built-in HTTP server; the server adds no HTTP
 * library. {@link #close()} stops it and leaves the {@link Ferry} open.
 */
public final class FerryServer implements AutoCloseable {
    /** The default port. */
    public static final int DEFAULT_PORT = 7070;
    /** The default address: only this machine can connect. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on, a
        // keep-alive client waits for the delayed ACK (~40 ms) on every response. The property is
        // read once when the JDK's server classes load, so it is set before the first server starts,
        // and only when the application did not choose a value itself.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final Ferry ferry;
    private final String host;
    private final int requestedPort;
    private final Router router;
    private final StatsSampler sampler;
    private final FerryMetrics metrics;
    private final PrometheusMeterRegistry registry;
    private final boolean ownsMetrics;
    private HttpServer http;
    private ExecutorService executor;
    private boolean closed;

    private FerryServer(Builder b) {
        this.ferry = b.ferry;
        this.host = b.host;
        this.requestedPort = b.port;
        Clock clock = Clock.systemUTC();
        this.registry = b.registry != null ? b.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = b.metrics != null ? b.metrics : new FerryMetrics(ferry.inspector(), clock);
        this.ownsMetrics = b.metrics == null;
        this.sampler = new StatsSampler(ferry.inspector(), b.sampleInterval, Duration.ofMinutes(10), clock);
        long maxBody = b.maxRequestBytes > 0 ? b.maxRequestBytes : ferry.defaults().maxPayloadBytes() + 256L * 1024;
        Security security = new Security(b.auth, host);
        this.router = new Router(security, maxBody, Dashboard::errorPage);
        new ApiRoutes(ferry, sampler, metrics, registry, clock).register(router);
        new Dashboard(ferry.inspector(), ferry.cronSchedules(), ferry.defaults().queue(), sampler, clock, b.dashboardRefresh).register(router);
        new StaticFiles().register(router);
    }

    /** A builder for a server over {@code ferry}'s broker. */
    public static Builder builder(Ferry ferry) {
        return new Builder(ferry);
    }

    /**
     * Binds and starts serving. Returns this server.
     *
     * @throws UncheckedIOException when the address cannot be bound (for example the port is taken)
     */
    public synchronized FerryServer start() {
        if (closed) {
            throw new IllegalStateException("this server is closed");
        }
        if (http != null) {
            throw new IllegalStateException("this server is started already");
        }
        metrics.bindTo(registry);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, requestedPort), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + requestedPort + ": " + e.getMessage()
                    + (requestedPort != 0 ? " (is another server on that port? choose another with --port)" : ""), e);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", router);
        server.start();
        http = server;
        sampler.start();
        return this;
    }

    /** The port the server listens on (the ephemeral one when built with port 0). */
    public synchronized int port() {
        if (http == null) {
            throw new IllegalStateException("the server is not started");
        }
        return http.getAddress().getPort();
    }

    /** The host it binds. */
    public String host() {
        return host;
    }

    /** The dashboard's URL, for example {@code http://127.0.0.1:7070/}. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if (h.equals("0.0.0.0") || h.equals("[::]")) {
            h = "127.0.0.1";
        }
        return "http://" + h + ":" + port() + "/";
    }

    /** The Ferry meters; add them to this process's workers with {@code worker.listener(server.metrics())}. */
    public FerryMetrics metrics() {
        return metrics;
    }

    /** The registry {@code /metrics} exposes. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Every registered route as {@code "METHOD /pattern"}, for documentation and checks. */
    public List<String> routes() {
        return router.routes().stream().map(r -> r.method() + " " + r.pattern()).toList();
    }

    Router router() {
        return router;
    }

    /** Stops serving (requests in progress get up to a second), stops sampling. Leaves the Ferry open. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.stop(1);
            executor.close();
        }
        sampler.close();
        if (ownsMetrics) {
            metrics.close();
        }
    }

    /** Configures a {@link FerryServer}; every setting is checked when set. */
    public static final class Builder {
        private final Ferry ferry;
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private ServerAuth auth = ServerAuth.none();
        private PrometheusMeterRegistry registry;
        private FerryMetrics metrics;
        private long maxRequestBytes;
        private Duration sampleInterval = Duration.ofSeconds(2);
        private Duration dashboardRefresh = Duration.ofSeconds(2);

        private Builder(Ferry ferry) {
            this.ferry = Objects.requireNonNull(ferry, "ferry");
        }

        /** The address to bind (default {@code 127.0.0.1}). Any non-loopback address requires {@link #auth}. */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new InvalidInputException("host", "is required, for example 127.0.0.1");
            }
            this.host = host.trim();
            return this;
        }

        /** The port (default 7070); 0 picks a free one, see {@link FerryServer#port()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new InvalidInputException("port", "must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** The credentials callers must present (default none: loopback only, everyone an operator). */
        public Builder auth(ServerAuth auth) {
            this.auth = Objects.requireNonNull(auth, "auth");
            return this;
        }

        /** The registry {@code /metrics} exposes (default: a new one). Ferry's meters are bound to it. */
        public Builder meterRegistry(PrometheusMeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Use these meters (for example ones your workers already report to) instead of new ones. */
        public Builder metrics(FerryMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** The largest request body (default: the payload limit plus 256 KiB). Larger ones get 413. */
        public Builder maxRequestBytes(long bytes) {
            if (bytes < 1024) {
                throw new InvalidInputException("maxRequestBytes", "must be at least 1024, was " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /** How often queue counters are sampled for throughput and the charts (default 2 s). */
        public Builder sampleInterval(Duration interval) {
            if (interval == null || interval.toMillis() < 50) {
                throw new InvalidInputException("sampleInterval", "must be at least 50ms, was " + interval);
            }
            this.sampleInterval = interval;
            return this;
        }

        /** How often the dashboard's overview polls for fresh counts and charts (default 2 s). */
        public Builder dashboardRefresh(Duration interval) {
            if (interval == null || interval.toMillis() < 100) {
                throw new InvalidInputException("dashboardRefresh", "must be at least 100ms, was " + interval);
            }
            this.dashboardRefresh = interval;
            return this;
        }

        /**
         * Builds the server without binding it.
         *
         * @throws InvalidInputException when the host is not a loopback address and no credentials are configured
         */
        public FerryServer build() {
            if (!auth.enabled() && !Security.isLoopback(host)) {
                throw new InvalidInputException("auth", "refusing to serve on " + host + " without credentials: anyone who can reach it "
                        + "could read and change every task. Configure credentials (ServerAuth.builder(); for `ferry server`, "
                        + "$FERRY_SERVER_TOKEN or $FERRY_SERVER_USER and $FERRY_SERVER_PASSWORD), or bind 127.0.0.1");
            }
            return new FerryServer(this);
        }
    }
}
