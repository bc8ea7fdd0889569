package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.QueueSelection;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.Worker;
import dev.ferry.server.FerryServer;
import dev.ferry.server.Role;
import dev.ferry.server.ServerAuth;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry server}: the HTTP API, the dashboard and {@code /metrics} on the broker, until
 * SIGTERM or SIGINT. With {@code --workers} it also runs a worker with the
 * {@linkplain BuiltinHandlers built-in handlers} and a demo producer, so a first run shows work
 * flowing through the dashboard.
 *
 * <p>Credentials come from the environment, never from flags (flags show in {@code ps}):
 * {@code FERRY_SERVER_TOKEN} (operator bearer token), {@code FERRY_SERVER_VIEWER_TOKEN} (viewer
 * bearer token), {@code FERRY_SERVER_USER} and {@code FERRY_SERVER_PASSWORD} (an operator for
 * browsers, basic authentication). Any host but a loopback one requires at least one of them.
 *
 * <p>Stopping follows {@link StopControl}: signals and the shutdown hook request a stop;
 * the command's own thread stops the producer, drains the worker and closes the server.
 */
@Command(name = "server", description = "Run the HTTP API, web dashboard and Prometheus /metrics (--workers adds demo workers and a demo workload).")
final class ServerCommand extends BaseCommand {
    static final String TOKEN_ENV = "FERRY_SERVER_TOKEN";
    static final String VIEWER_TOKEN_ENV = "FERRY_SERVER_VIEWER_TOKEN";
    static final String USER_ENV = "FERRY_SERVER_USER";
    static final String PASSWORD_ENV = "FERRY_SERVER_PASSWORD";

    @Option(names = "--host", paramLabel = "HOST", defaultValue = FerryServer.DEFAULT_HOST,
            description = "Address to bind (default ${DEFAULT-VALUE}; any other needs $" + TOKEN_ENV + " or $" + USER_ENV + "/$" + PASSWORD_ENV + ").")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7070", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--workers", description = "Also run a worker with the built-in demo handlers and a demo producer.")
    boolean workers;

    @Option(names = "--demo-rate", paramLabel = "N", defaultValue = "20", description = "Demo tasks enqueued per second with --workers (default ${DEFAULT-VALUE}).")
    int demoRate;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8", description = "Handler slots of the demo worker (default ${DEFAULT-VALUE}).")
    int concurrency;

    private final StopControl stop = new StopControl("server");
    private volatile String url;

    @Override
    int run() throws Exception {
        if (demoRate < 1 || demoRate > 1000) {
            throw new InvalidInputException("demo-rate", "must be between 1 and 1000, was " + demoRate);
        }
        try (Ferry ferry = openFerry();
             FerryServer server = FerryServer.builder(ferry).host(host).port(port).auth(auth()).build().start()) {
            url = server.url();
            Worker worker = null;
            Thread producer = null;
            if (workers) {
                worker = BuiltinHandlers.register(ferry.worker())
                        .queues(QueueSelection.weighted(Map.of("critical", 6, "default", 3, "low", 1)))
                        .concurrency(concurrency)
                        .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(500), 2.0, Duration.ofSeconds(30), 0.1))
                        .listener(server.metrics())
                        .start();
                producer = Thread.ofVirtual().name("ferry-demo-producer").start(() -> produce(ferry));
            }
            stop.install(root().handlesSignals(), err());
            PrintWriter out = out();
            out.println("ferry server: dashboard " + url + "  (API " + url + "api/v1, metrics " + url + "metrics)");
            out.println("broker " + broker() + (workers ? "; demo worker on critical, default, low with " + demoRate + " demo tasks/s" : "")
                    + " (Ctrl-C or SIGTERM to stop)");
            out.flush();
            stop.markStarted();
            stop.awaitStopRequest();
            out.println("ferry server: stopping");
            out.flush();
            if (producer != null) {
                producer.interrupt();
                producer.join(Duration.ofSeconds(5));
            }
            if (worker != null) {
                worker.close();
            }
            return FerryCli.EXIT_OK;
        } finally {
            stop.finished();
        }
    }

    /** Credentials from the environment; none when nothing is set. */
    ServerAuth auth() {
        Map<String, String> env = root().env();
        String token = env.get(TOKEN_ENV);
        String viewer = env.get(VIEWER_TOKEN_ENV);
        String user = env.get(USER_ENV);
        String password = env.get(PASSWORD_ENV);
        if (isBlank(token) && isBlank(viewer) && isBlank(user)) {
            return ServerAuth.none();
        }
        ServerAuth.Builder b = ServerAuth.builder();
        if (!isBlank(token)) {
            b.token(token, Role.OPERATOR);
        }
        if (!isBlank(viewer)) {
            b.token(viewer, Role.VIEWER);
        }
        if (!isBlank(user)) {
            if (isBlank(password)) {
                throw new InvalidInputException(PASSWORD_ENV, "is required when " + USER_ENV + " is set");
            }
            b.user(user, password, Role.OPERATOR);
        }
        return b.build();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * A steady mix for the dashboard: mostly quick echoes, some sleeps, some tasks that fail once
     * and then succeed, and a few that always fail and end in the dead set.
     */
    private void produce(Ferry ferry) {
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / demoRate;
        long next = System.nanoTime();
        int n = 0;
        while (!Thread.currentThread().isInterrupted()) {
            int roll = ThreadLocalRandom.current().nextInt(100);
            Task task;
            if (roll < 55) {
                task = Task.ofJson(BuiltinHandlers.ECHO, "{\"order\":" + n + "}").queue("default");
            } else if (roll < 80) {
                task = Task.ofJson(BuiltinHandlers.SLEEP, "{\"ms\":" + ThreadLocalRandom.current().nextInt(20, 400) + "}").queue("critical");
            } else if (roll < 97) {
                task = Task.ofJson(BuiltinHandlers.FAIL, "{\"times\":1}").queue("low");
            } else {
                task = Task.ofJson(BuiltinHandlers.FAIL, "{\"times\":-1}").queue("low").maxAttempts(2);
            }
            try {
                ferry.client().enqueue(task);
            } catch (RuntimeException e) {
                err().println("ferry server: demo enqueue failed: " + e.getMessage());
                err().flush();
            }
            n++;
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the demo producer, not waiting for an outcome
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Asks the server to stop; returns at once. */
    void requestStop() {
        stop.requestStop();
    }

    /** What the shutdown hook runs: ask to stop, then wait until everything is closed. */
    void stopAndWait() {
        stop.stopAndWait();
    }

    /** True once the server listens (its URL was printed). */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return stop.awaitStarted(timeout);
    }

    /** The dashboard URL, once started. */
    String url() {
        return url;
    }
}
