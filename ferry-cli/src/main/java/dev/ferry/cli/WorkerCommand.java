package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.QueueSelection;
import dev.ferry.RetryPolicy;
import dev.ferry.TaskEvent;
import dev.ferry.Worker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry worker}: runs a worker with the {@linkplain BuiltinHandlers built-in handlers}
 * until SIGTERM or SIGINT, then shuts it down gracefully (no new claims; running tasks get the
 * grace period; the rest go back to pending, attempt not counted) and exits 0.
 *
 * <p>Stopping follows {@link StopControl}: signals, the shutdown hook and tests all request a
 * stop, and this command's thread closes the worker.
 */
@Command(name = "worker", description = "Run a worker with the built-in handlers demo.echo, demo.sleep and demo.fail.")
final class WorkerCommand extends BaseCommand {
    @Option(names = "--queues", paramLabel = "SPEC", defaultValue = "critical:6,default:3,low:1",
            description = "Weighted (critical:6,default:3,low:1) or strict order (a,b). Default: ${DEFAULT-VALUE}.")
    String queues;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "10", description = "Handler slots (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--retry-base", paramLabel = "DURATION", defaultValue = "1s", converter = Durations.Converter.class,
            description = "First retry delay, doubled per failed attempt, 10%% jitter (default ${DEFAULT-VALUE}).")
    Duration retryBase;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.Converter.class,
            description = "How long running tasks may finish on shutdown (default ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    @Option(names = "--limit", paramLabel = "LIMIT",
            description = "A flow-control limit the backend enforces across all workers; repeatable. Rate: emails=100/1m (burst: emails=100/1m:burst=10); concurrency: crm=5; per task key: key:emails=10/1m, key:orders=1 (a mutex).")
    java.util.List<String> limits = new java.util.ArrayList<>();

    @Option(names = "--health-port", paramLabel = "PORT",
            description = "Serve /healthz, /readyz and /metrics (Prometheus) on this port, for Kubernetes probes and scraping.")
    Integer healthPort;

    @Option(names = "--health-host", paramLabel = "HOST", defaultValue = "0.0.0.0",
            description = "Address of the health port (default ${DEFAULT-VALUE}: probes come from outside the pod).")
    String healthHost;

    @Option(names = "--exit-when-idle", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Stop gracefully (exit 0) once no task ran for this long: for one-off batch Jobs (KEDA ScaledJob).")
    Duration exitWhenIdle;

    @Option(names = {"-v", "--verbose"}, description = "Print a line per finished attempt.")
    boolean verbose;

    private final StopControl stop = new StopControl("worker");
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running;
    private volatile long lastActive;

    @Override
    int run() throws Exception {
        try {
            QueueSelection selection = QueueSelection.parse(queues);
            try (Ferry ferry = openFerry();
                 HealthServer health = healthPort == null ? null : new HealthServer(healthHost, healthPort, ferry, () -> running)) {
                dev.ferry.WorkerBuilder builder = BuiltinHandlers.register(ferry.worker());
                if (health != null) {
                    builder.listener(health.metrics());
                }
                for (String limit : limits) {
                    builder.limit(dev.ferry.Limit.parse(limit));
                }
                Worker worker = builder
                        .queues(selection)
                        .concurrency(concurrency)
                        .retryPolicy(RetryPolicy.exponential(retryBase, 2.0, max(retryBase, Duration.ofHours(1)), 0.1))
                        .shutdownGrace(shutdownGrace)
                        .listener(this::onEvent)
                        .build();
                stop.install(root().handlesSignals(), err());
                worker.start();
                running = true;
                if (exitWhenIdle != null) {
                    watchIdle(worker);
                }
                PrintWriter out = out();
                out.println("worker " + worker.id() + " started: queues " + selection + ", concurrency " + concurrency
                        + ", broker " + broker() + " (Ctrl-C or SIGTERM to stop)");
                out.flush();
                stop.markStarted();
                stop.awaitStopRequest();
                running = false;
                out.println("worker " + worker.id() + " stopping: running tasks get " + Durations.format(shutdownGrace) + " to finish");
                out.flush();
                worker.close();
                out.println("worker " + worker.id() + " stopped: " + succeeded.get() + " succeeded, " + failed.get() + " failed attempts");
            }
            return FerryCli.EXIT_OK;
        } finally {
            stop.finished();
        }
    }

    /** Stops the worker once nothing ran for {@code --exit-when-idle}: checked a few times a second. */
    private void watchIdle(Worker worker) {
        lastActive = System.nanoTime();
        Thread.ofPlatform().daemon().name("ferry-idle-watch").start(() -> {
            while (!stop.stopRequested()) {
                if (worker.inFlight() > 0) {
                    lastActive = System.nanoTime();
                } else if (System.nanoTime() - lastActive >= exitWhenIdle.toNanos()) {
                    out().println("worker " + worker.id() + " idle for " + Durations.format(exitWhenIdle) + ": stopping");
                    requestStop();
                    return;
                }
                try {
                    stop.awaitStopRequest(Math.min(200, Math.max(1, exitWhenIdle.toMillis() / 4)));
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Asks the worker to stop; returns at once. Safe to call any number of times, from any thread. */
    void requestStop() {
        stop.requestStop();
    }

    /** What the shutdown hook runs: ask to stop, then wait until the worker is closed. */
    void stopAndWait() {
        stop.stopAndWait();
    }

    /** True once the worker is running (its start line was printed). */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return stop.awaitStarted(timeout);
    }

    private void onEvent(TaskEvent e) {
        lastActive = System.nanoTime();
        switch (e.kind()) {
            case SUCCEEDED -> succeeded.incrementAndGet();
            case RETRYING, DEAD, TIMED_OUT -> failed.incrementAndGet();
            default -> {
                // started, snoozed, cancelled, released: not counted
            }
        }
        if (verbose && e.kind() != TaskEvent.Kind.STARTED) {
            PrintWriter out = out();
            out.println(Json.lower(e.kind()) + " " + e.type() + " " + e.taskId() + " attempt " + e.attempt()
                    + " (" + Durations.format(e.took()) + ")" + (e.error() != null ? ": " + Table.clip(String.valueOf(e.error().getMessage()), 100) : ""));
            out.flush();
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
