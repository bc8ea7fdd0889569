package dev.ferry.internal;

import dev.ferry.Inspector;
import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.WorkerInfo;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.TaskPage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The {@link Inspector} over the broker's inspection and admin operations. */
public final class DefaultInspector implements Inspector {
    public static final int MAX_PAGE = 1000;

    private final Broker broker;
    private final JsonCodec codec;

    public DefaultInspector(Broker broker, JsonCodec codec) {
        this.broker = broker;
        this.codec = codec;
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
}
