package dev.ferry.spring.autoconfigure;

import dev.ferry.CronScheduler;
import dev.ferry.Ferry;
import dev.ferry.spring.FerrySchedulerCustomizer;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the cron scheduler for the {@code @CronTask} methods (and schedules registered by
 * customizers), and closes it first on shutdown so that no tick fires into a stopping worker;
 * closing gives up the leader lease, so another instance takes over at once.
 */
public final class FerrySchedulerLifecycle implements SmartLifecycle {
    /** Stops before the worker ({@link FerryWorkerLifecycle#PHASE}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 256;

    private static final Log LOG = LogFactory.getLog(FerrySchedulerLifecycle.class);

    private final Ferry ferry;
    private final FerryProperties.Scheduler settings;
    private final HandlerMethods handlers;
    private final List<FerrySchedulerCustomizer> customizers;
    private volatile CronScheduler scheduler;

    FerrySchedulerLifecycle(Ferry ferry, FerryProperties properties, HandlerMethods handlers,
            List<FerrySchedulerCustomizer> customizers) {
        this.ferry = ferry;
        this.settings = properties.scheduler();
        this.handlers = handlers;
        this.customizers = customizers;
    }

    @Override
    public synchronized void start() {
        if (scheduler != null || !settings.enabled() || (handlers.schedules().isEmpty() && customizers.isEmpty())) {
            return;
        }
        CronScheduler.Builder builder = FerryProperties.named("ferry.scheduler.", () -> {
            CronScheduler.Builder b = ferry.scheduler().tickInterval(settings.tickInterval());
            return settings.group() == null ? b : b.group(settings.group());
        });
        handlers.registerOn(builder);
        customizers.forEach(c -> c.customize(builder));
        scheduler = builder.build().start();
        LOG.info("Ferry cron scheduler " + scheduler.id() + " started with " + scheduler.schedules().size() + " schedule(s)");
    }

    @Override
    public synchronized void stop() {
        CronScheduler s = scheduler;
        scheduler = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The running scheduler, or null. */
    public CronScheduler scheduler() {
        return scheduler;
    }
}
