package dev.ferry.spring.autoconfigure;

import dev.ferry.Ferry;
import dev.ferry.QueueStats;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.WorkerInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Ferry's health ({@code /actuator/health/ferry}): UP when the backend answers and, if this
 * application runs a worker, that worker is running. Details: the backend, this process's worker
 * (id, busy and total slots), the live workers anywhere on the backend, and the dead set and
 * pending counts summed over queues. The check is one stats call and one workers call.
 */
public final class FerryHealthIndicator extends AbstractHealthIndicator {
    private final Ferry ferry;
    private final FerryWorkerLifecycle workers;

    FerryHealthIndicator(Ferry ferry, FerryWorkerLifecycle workers) {
        super("Ferry health check failed");
        this.ferry = ferry;
        this.workers = workers;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("backend", ferry.broker().capabilities().name());
        List<QueueStats> queues = ferry.inspector().queues();
        List<WorkerInfo> live = ferry.inspector().workers();
        long dead = queues.stream().mapToLong(q -> q.count(TaskState.DEAD)).sum();
        long pending = queues.stream().mapToLong(q -> q.count(TaskState.PENDING)).sum();
        builder.withDetail("queues", queues.size())
                .withDetail("pending", pending)
                .withDetail("deadSetSize", dead)
                .withDetail("liveWorkers", live.size());
        Worker w = workers == null ? null : workers.worker();
        if (w != null) {
            Map<String, Object> local = new LinkedHashMap<>();
            local.put("id", w.id());
            local.put("running", w.isRunning());
            local.put("busy", w.inFlight());
            local.put("slots", w.concurrency());
            builder.withDetail("worker", local);
        }
        boolean workerDown = workers != null && workers.expected() && workers.isRunning() && (w == null || !w.isRunning());
        if (workerDown) {
            builder.down().withDetail("reason", "this application's worker is not running");
        } else {
            builder.up();
        }
    }
}
