package dev.ferry.spring.autoconfigure;

import dev.ferry.Ferry;
import dev.ferry.QueueSelection;
import dev.ferry.TaskListener;
import dev.ferry.TaskMiddleware;
import dev.ferry.Worker;
import dev.ferry.WorkerBuilder;
import dev.ferry.spring.FerryWorkerCustomizer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the application's worker once every bean exists, and stops it gracefully before the web
 * server and the DataSource go.
 *
 * <p><b>Phases.</b> Spring stops lifecycle beans from the highest phase down, and destroys beans
 * (closing pools such as the DataSource) only after all have stopped. The worker's phase,
 * {@link #PHASE}, is above the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and
 * below the scheduler's, so on shutdown: the scheduler stops firing, then the worker stops claiming
 * and lets running tasks finish within {@code ferry.worker.shutdown-grace} (releasing the rest
 * back to pending, attempt not counted), then the web server stops, then beans are destroyed.
 * If Spring's per-phase timeout runs out first, {@link #destroy()} still waits for the drain, so
 * the broker and the DataSource are never closed under running tasks.
 */
public final class FerryWorkerLifecycle implements SmartLifecycle, DisposableBean {
    /** Stops after the scheduler, before the web server's graceful shutdown. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private static final Log LOG = LogFactory.getLog(FerryWorkerLifecycle.class);

    private final Ferry ferry;
    private final FerryProperties.Worker settings;
    private final FerryProperties.Retry retry;
    private final HandlerMethods handlers;
    private final List<FerryWorkerCustomizer> customizers;
    private final List<TaskListener> listeners;
    private final List<TaskMiddleware> middleware;
    private volatile Worker worker;
    private volatile Thread stopping;

    FerryWorkerLifecycle(Ferry ferry, FerryProperties properties, HandlerMethods handlers,
            List<FerryWorkerCustomizer> customizers, List<TaskListener> listeners, List<TaskMiddleware> middleware) {
        this.ferry = ferry;
        this.settings = properties.worker();
        this.retry = properties.retry();
        this.handlers = handlers;
        this.customizers = customizers;
        this.listeners = listeners;
        this.middleware = middleware;
    }

    @Override
    public synchronized void start() {
        if (worker != null) {
            return;
        }
        if (!settings.enabled()) {
            LOG.info("Ferry worker disabled (ferry.worker.enabled=false): this application only enqueues");
            return;
        }
        if (handlers.isEmpty() && customizers.isEmpty()) {
            LOG.info("No @TaskHandler or @CronTask methods: no Ferry worker started");
            return;
        }
        WorkerBuilder builder = ferry.worker();
        FerryProperties.named("ferry.worker.", () -> {
            QueueSelection queues = settings.selection();
            if (queues != null) {
                builder.queues(queues);
            }
            return builder.concurrency(settings.concurrency())
                    .prefetch(settings.prefetch())
                    .lease(settings.lease())
                    .pollInterval(settings.pollInterval())
                    .shutdownGrace(settings.shutdownGrace())
                    .maxLeaseExpirations(settings.maxLeaseExpirations())
                    .maintenance(settings.maintenance())
                    .retryPolicy(retry.toPolicy());
        });
        listeners.forEach(builder::listener);
        middleware.forEach(builder::middleware);
        handlers.registerOn(builder);
        customizers.forEach(c -> c.customize(builder));
        warnAboutUnservedCronQueues();
        Worker w = builder.build();
        w.start();
        worker = w;
        LOG.info("Ferry worker " + w.id() + " started: " + w.concurrency() + " slots, queues "
                + (settings.selection() == null ? ferry.defaults().queue() : settings.selection()) + ", types " + handlers.types());
    }

    /** A @CronTask whose queue this worker does not claim from would pile up unseen. */
    private void warnAboutUnservedCronQueues() {
        QueueSelection selection = settings.selection();
        List<String> served = selection == null ? List.of(ferry.defaults().queue()) : selection.queues();
        for (HandlerMethods.CronRegistration c : handlers.schedules()) {
            String queue = c.task().queue() == null ? ferry.defaults().queue() : c.task().queue();
            if (!served.contains(queue)) {
                LOG.warn("@CronTask '" + c.name() + "' (" + c.source() + ") enqueues on queue '" + queue
                        + "', which this worker does not serve (ferry.worker.queues: " + served + ")");
            }
        }
    }

    @Override
    public void stop(Runnable callback) {
        Worker w;
        synchronized (this) {
            w = worker;
            if (w == null || stopping != null) {
                callback.run();
                return;
            }
            LOG.info("Ferry worker " + w.id() + " stopping: no new tasks; " + w.inFlight()
                    + " running get up to " + settings.shutdownGrace() + " to finish");
            // Drains on a thread of its own, so that Spring stops the other beans of this phase meanwhile.
            stopping = Thread.ofPlatform().name("ferry-worker-shutdown").daemon(false).unstarted(() -> {
                try {
                    w.shutdown(settings.shutdownGrace());
                    LOG.info("Ferry worker " + w.id() + " stopped");
                } catch (RuntimeException e) {
                    LOG.warn("Ferry worker shutdown failed: " + e, e);
                } finally {
                    callback.run();
                }
            });
            stopping.start();
        }
    }

    @Override
    public void stop() {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        stop(done::countDown);
        awaitQuietly(done);
    }

    private void awaitQuietly(java.util.concurrent.CountDownLatch done) {
        try {
            done.await(settings.shutdownGrace().plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        Worker w = worker;
        return w != null && stopping == null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Waits for a drain that outlived Spring's per-phase timeout, before the broker is closed. */
    @Override
    public void destroy() throws InterruptedException {
        Thread t = stopping;
        if (t != null) {
            t.join(settings.shutdownGrace().plus(Duration.ofSeconds(30)).toMillis());
        } else if (worker != null) {
            worker.close();
        }
    }

    /** The running worker, or null when none was started (disabled, no handlers) or it has stopped. */
    public Worker worker() {
        return worker;
    }

    /** True when this application should run a worker: enabled and with handlers. */
    boolean expected() {
        return settings.enabled() && (!handlers.isEmpty() || !customizers.isEmpty());
    }
}
