package dev.ferry.cli;

import dev.ferry.CronScheduler;
import dev.ferry.Ferry;
import dev.ferry.Housekeeper;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry scheduler}: the always-on companion of workers that may scale to zero. It runs a
 * {@link Housekeeper} (due delayed and retrying tasks become ready every second, expired leases are
 * recovered, finished tasks pruned) and a cron scheduler that fires the schedules stored in the
 * backend ({@code ferry cron add}). Run one or two: cron is leader-elected, so each tick fires once.
 * Stops on SIGTERM or SIGINT and exits 0 ({@link StopControl}).
 */
@Command(name = "scheduler", description = "Promote due delayed tasks, recover expired leases, prune, and fire stored cron schedules (leader-elected). For KEDA scale-to-zero.")
final class SchedulerCommand extends BaseCommand {
    @Option(names = "--tick", paramLabel = "DURATION", defaultValue = "1s", converter = Durations.Converter.class,
            description = "How often the cron scheduler runs a round (default ${DEFAULT-VALUE}).")
    Duration tick;

    @Option(names = "--no-cron", description = "Only housekeeping: do not fire cron schedules.")
    boolean noCron;

    @Option(names = "--health-port", paramLabel = "PORT",
            description = "Serve /healthz, /readyz and /metrics (Prometheus) on this port, for Kubernetes probes and scraping.")
    Integer healthPort;

    @Option(names = "--health-host", paramLabel = "HOST", defaultValue = "0.0.0.0",
            description = "Address of the health port (default ${DEFAULT-VALUE}).")
    String healthHost;

    private volatile boolean running;

    private final StopControl stop = new StopControl("scheduler");

    @Override
    int run() throws Exception {
        try (Ferry ferry = openFerry();
             HealthServer health = healthPort == null ? null : new HealthServer(healthHost, healthPort, ferry, () -> running)) {
            Housekeeper housekeeper = ferry.housekeeper().start();
            running = true;
            CronScheduler cron = noCron ? null : ferry.scheduler().tickInterval(tick).storedSchedules(true).start();
            stop.install(root().handlesSignals(), err());
            PrintWriter out = out();
            out.println("scheduler " + (cron == null ? "" : cron.id() + " ") + "started: promoting due tasks every 1s"
                    + (cron == null ? "" : ", firing stored cron schedules every " + Durations.format(tick))
                    + ", broker " + broker() + " (Ctrl-C or SIGTERM to stop)");
            out.flush();
            stop.markStarted();
            stop.awaitStopRequest();
            running = false;
            if (cron != null) {
                cron.close(); // gives up the leader lease at once, so another scheduler takes over
            }
            housekeeper.close();
            out.println("scheduler stopped");
            return FerryCli.EXIT_OK;
        } finally {
            stop.finished();
        }
    }

    /** Asks the scheduler to stop; returns at once. */
    void requestStop() {
        stop.requestStop();
    }

    /** What the shutdown hook runs: ask to stop, then wait until everything is closed. */
    void stopAndWait() {
        stop.stopAndWait();
    }

    /** True once the scheduler is running. */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return stop.awaitStarted(timeout);
    }
}
