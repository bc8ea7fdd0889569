package dev.ferry.internal;

import dev.ferry.Explanation;
import dev.ferry.Inspector;
import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.QueueStats;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.Broker;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.TaskPage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The {@link Inspector} over the broker's inspection and admin operations. */
public final class DefaultInspector implements Inspector {
    public static final int MAX_PAGE = 1000;

    private final Broker broker;
    private final JsonCodec codec;
    private final dev.ferry.internal.workflow.WorkflowEngine workflows;

    public DefaultInspector(Broker broker, JsonCodec codec) {
        this.broker = broker;
        this.codec = codec;
        this.workflows = new dev.ferry.internal.workflow.WorkflowEngine(broker, codec);
    }

    @Override
    public List<QueueStats> queues() {
        return broker.stats(List.of());
    }

    @Override
    public QueueStats queue(String queue) {
        Validation.queue("queue", queue);
        List<QueueStats> stats = broker.stats(List.of(queue));
        return stats.isEmpty() ? new QueueStats(queue, Map.of(), false, 0, 0, 0, 0, null) : stats.get(0);
    }

    @Override
    public TaskPage tasks(String queue, TaskState state, int offset, int limit) {
        if (queue != null) {
            Validation.queue("queue", queue);
        }
        if (state == null) {
            throw new InvalidInputException("state", "is required");
        }
        if (offset < 0) {
            throw new InvalidInputException("offset", "must not be negative, was " + offset);
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new InvalidInputException("limit", "must be between 1 and " + MAX_PAGE + ", was " + limit);
        }
        return broker.list(new ListRequest(queue, state, offset, limit));
    }

    @Override
    public Optional<TaskInfo> task(String id) {
        Validation.id("id", id);
        return broker.get(id);
    }

    @Override
    public <T> Optional<T> result(String id, Class<T> type) {
        return task(id).filter(t -> t.resultJson() != null).map(t -> codec.decode(t.resultJson(), type));
    }

    @Override
    public boolean retry(String id) {
        return broker.admin(new AdminCommand.Retry(Validation.id("id", id))).affected() > 0;
    }

    @Override
    public boolean cancel(String id) {
        return broker.admin(new AdminCommand.Cancel(Validation.id("id", id))).affected() > 0;
    }

    @Override
    public boolean delete(String id) {
        return broker.admin(new AdminCommand.Delete(Validation.id("id", id))).affected() > 0;
    }

    @Override
    public long purge(String queue, TaskState... states) {
        Validation.queue("queue", queue);
        if (states.length == 0) {
            throw new InvalidInputException("states", "name at least one state to purge");
        }
        Set<TaskState> set = java.util.EnumSet.copyOf(java.util.Arrays.asList(states));
        if (set.contains(TaskState.ACTIVE)) {
            throw new InvalidInputException("states", "active tasks cannot be purged; cancel them instead");
        }
        return broker.admin(new AdminCommand.Purge(queue, set)).affected();
    }

    @Override
    public long replayDead() {
        return broker.admin(new AdminCommand.ReplayDead(null)).affected();
    }

    @Override
    public long replayDead(String queue) {
        return broker.admin(new AdminCommand.ReplayDead(Validation.queue("queue", queue))).affected();
    }

    @Override
    public boolean pause(String queue) {
        return broker.admin(new AdminCommand.Pause(Validation.queue("queue", queue))).affected() > 0;
    }

    @Override
    public boolean resume(String queue) {
        return broker.admin(new AdminCommand.Resume(Validation.queue("queue", queue))).affected() > 0;
    }

    @Override
    public List<WorkerInfo> workers() {
        return broker.workers();
    }

    @Override
    public Optional<dev.ferry.workflow.WorkflowInfo> workflow(String id) {
        return workflows.info(id);
    }

    @Override
    public boolean cancelWorkflow(String id) {
        return workflows.cancel(id);
    }

    @Override
    public Explanation explain(String id) {
        Validation.id("id", id);
        Optional<TaskInfo> found = broker.get(id);
        if (found.isEmpty()) {
            List<String> parents = workflows.unfinishedParents(id);
            if (!parents.isEmpty()) {
                String workflow = id.substring(3, id.indexOf('.', 3));
                return new Explanation(id, null, Explanation.Reason.WAITING_FOR_PARENTS, "step of workflow " + workflow
                        + ", not enqueued yet: it waits for " + (parents.size() == 1 ? "its parent step " : "its parent steps ")
                        + String.join(", ", parents) + " to finish", null);
            }
            return new Explanation(id, null, Explanation.Reason.NOT_FOUND,
                    "no task " + id + ": it was never enqueued, or it finished and was pruned after its retention", null);
        }
        TaskInfo t = found.get();
        Instant now = Instant.now();
        return switch (t.state()) {
            case ACTIVE -> running(t, now);
            case COMPLETED -> finished(t, "completed at " + t.finishedAt());
            case CANCELLED -> finished(t, "cancelled at " + t.finishedAt());
            case DEAD -> finished(t, "dead since " + t.finishedAt() + " (" + t.deadReason() + ")"
                    + (t.lastError() != null ? ": " + t.lastError().message() : "") + "; retry it or replay the dead set");
            case WAITING -> new Explanation(id, t.state(), Explanation.Reason.WAITING_FOR_PARENTS,
                    "waiting for its workflow parents to finish", null);
            case SCHEDULED, RETRYING, PENDING -> waiting(t, now);
        };
    }

    private Explanation running(TaskInfo t, Instant now) {
        boolean alive = broker.workers().stream().anyMatch(w -> w.workerId().equals(t.workerId()));
        if (!alive) {
            return new Explanation(t.id(), t.state(), Explanation.Reason.WORKER_SILENT, "claimed by worker " + t.workerId()
                    + " at " + t.startedAt() + ", which sends no heartbeats any more; recovery takes the task back when its lease ends at "
                    + t.leaseExpiresAt(), t.leaseExpiresAt());
        }
        return new Explanation(t.id(), t.state(), Explanation.Reason.RUNNING, "running on worker " + t.workerId() + " since "
                + t.startedAt() + " (attempt " + t.attempt() + " of " + t.maxAttempts() + ")"
                + (t.cancelRequested() ? "; a cancel was requested and reaches the handler at its next lease renewal" : ""), null);
    }

    private static Explanation finished(TaskInfo t, String what) {
        return new Explanation(t.id(), t.state(), Explanation.Reason.FINISHED, "it is not running because it finished: " + what, null);
    }

    private Explanation waiting(TaskInfo t, Instant now) {
        Optional<String> wait = broker.idempotency(new IdempotencyRequest(FlowControl.WAIT_RECORD + t.id(), null, Duration.ofMillis(1)));
        if (wait.isPresent() && t.state() == TaskState.SCHEDULED) {
            @SuppressWarnings("unchecked")
            Map<String, Object> w = codec.decode(wait.get(), Map.class);
            boolean rate = "rate-limited".equals(w.get("reason"));
            Instant until = t.runAt();
            String key = w.get("key") == null ? "" : " for key '" + w.get("key") + "'";
            return new Explanation(t.id(), t.state(), rate ? Explanation.Reason.RATE_LIMITED : Explanation.Reason.CONCURRENCY_LIMITED,
                    (rate ? "rate limited by " : "waiting for a concurrency slot of ") + w.get("limit") + key
                            + "; it waits in the backend and is tried again at " + until, until);
        }
        if (t.runAt() != null && t.runAt().isAfter(now)) {
            if (t.state() == TaskState.RETRYING) {
                return new Explanation(t.id(), t.state(), Explanation.Reason.WAITING_FOR_RETRY, "attempt " + t.attempt() + " of "
                        + t.maxAttempts() + " failed" + (t.lastError() != null ? " (" + t.lastError().message() + ")" : "")
                        + "; the next attempt is due at " + t.runAt(), t.runAt());
            }
            return new Explanation(t.id(), t.state(), Explanation.Reason.DELAYED, "delayed until " + t.runAt()
                    + (t.headers().containsKey("ferry-schedule") ? " (cron schedule " + t.headers().get("ferry-schedule") + ")" : ""), t.runAt());
        }
        if (t.queue().startsWith(Aggregator.HOLDING_PREFIX)) {
            return new Explanation(t.id(), t.state(), Explanation.Reason.AGGREGATING, "an item to aggregate: it waits with group '"
                    + t.headers().get(dev.ferry.Task.GROUP_HEADER) + "' until a worker with a batch handler for '" + t.type()
                    + "' on queue '" + t.queue().substring(Aggregator.HOLDING_PREFIX.length())
                    + "' gathers enough items or the oldest has waited long enough", null);
        }
        QueueStats q = queue(t.queue());
        if (q.paused()) {
            return new Explanation(t.id(), t.state(), Explanation.Reason.QUEUE_PAUSED, "ready, but queue '" + t.queue()
                    + "' is paused; resume it to let workers claim from it", null);
        }
        List<WorkerInfo> serving = broker.workers().stream().filter(w -> w.queues().contains(t.queue())).toList();
        if (serving.isEmpty()) {
            return new Explanation(t.id(), t.state(), Explanation.Reason.NO_WORKER, "ready, but no live worker has polled queue '"
                    + t.queue() + "' in the last 60 s: start a worker for it (with a handler for '" + t.type() + "')", null);
        }
        int busy = serving.stream().mapToInt(WorkerInfo::busy).sum();
        int capacity = serving.stream().mapToInt(WorkerInfo::concurrency).sum();
        long ahead = q.counts().getOrDefault(TaskState.PENDING, 0L);
        String tenant = t.headers().get(Task.TENANT_HEADER);
        String turn = tenant == null ? "" : ", served round-robin with the other tenants as tenant '" + tenant + "'";
        return new Explanation(t.id(), t.state(), Explanation.Reason.READY, "ready in queue '" + t.queue() + "' (priority "
                + t.priority() + ", " + ahead + " pending in the queue" + turn + "); " + serving.size() + " live worker(s) serve it, "
                + busy + " of " + capacity + " slots busy", null);
    }
}
