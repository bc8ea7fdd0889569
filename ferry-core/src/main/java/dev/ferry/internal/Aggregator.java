package dev.ferry.internal;

import dev.ferry.EnqueueResult;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.Broker;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.TaskPage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Task aggregation (asynq's task groups), on the SPI every backend has. Items enqueued with
 * {@link Task#aggregate(String)} wait as ordinary pending tasks in a holding queue
 * ({@code ferry-agg.<queue>}) that no worker claims from. One aggregator per queue at a time
 * (a leader lease) reads the holding queue in claim order, groups the items by type and group
 * key, and when a group has {@code maxSize} items, or its oldest has waited {@code maxDelay},
 * enqueues one batch task into the real queue and then deletes the items.
 *
 * <p>Crash safety: the batch's id is {@code agg.<oldest item id>} and it lists its items in a
 * header. An aggregator that dies after enqueueing the batch but before deleting the items leaves
 * them in the holding queue; the next round forms a batch with the same oldest item, gets
 * DUPLICATE_ID, and deletes exactly the items the stored batch lists. Items are deleted newest
 * first, so the oldest is there as long as any of its batch is. An item is never in two batches
 * and never lost.
 */
final class Aggregator extends PeriodicDuty {
    /** Prefix of holding queues. */
    static final String HOLDING_PREFIX = "ferry-agg.";
    /** The batch's size, for handlers. */
    static final String SIZE_HEADER = "ferry-batch-size";
    /** The ids of the items a batch holds, comma-separated. */
    static final String ITEMS_HEADER = "ferry-batch-items";
    /** The largest batch payload; the core's default payload limit. */
    private static final int MAX_BATCH_BYTES = 1024 * 1024;
    /** Items read per round and queue: bounds one round's work. */
    private static final int MAX_READ = 10_000;

    private final Broker broker;
    private final String workerId;
    private final List<String> queues;
    private final Map<String, Aggregation> policies;
    private final Duration leaderTtl;

    Aggregator(Broker broker, String workerId, List<String> queues, List<Aggregation> policies, Duration interval) {
        super("aggregator", interval);
        this.broker = broker;
        this.workerId = workerId;
        this.queues = List.copyOf(queues);
        this.policies = new LinkedHashMap<>();
        for (Aggregation p : policies) {
            this.policies.put(p.type(), p);
        }
        this.leaderTtl = interval.multipliedBy(5);
    }

    /** The holding queue of a queue's items to aggregate. */
    static String holdingQueue(String queue) {
        return Validation.queue("queue", HOLDING_PREFIX + queue);
    }

    @Override
    protected void runOnce() {
        for (String queue : queues) {
            if (broker.lead(new LeaderRequest("ferry-agg:" + queue, workerId, leaderTtl)).leader()) {
                aggregate(queue, Instant.now());
            }
        }
    }

    /** One round for one queue; package-private so tests of the engine can drive it. */
    void aggregate(String queue, Instant now) {
        Map<String, List<TaskInfo>> groups = new LinkedHashMap<>();
        int offset = 0;
        while (offset < MAX_READ) {
            TaskPage page = broker.list(new ListRequest(HOLDING_PREFIX + queue, TaskState.PENDING, offset, 1000));
            for (TaskInfo item : page.tasks()) {
                if (policies.containsKey(item.type())) {
                    groups.computeIfAbsent(item.type() + '\u0000' + item.headers().get(Task.GROUP_HEADER), k -> new ArrayList<>()).add(item);
                }
            }
            if (!page.hasMore()) {
                break;
            }
            offset += page.tasks().size();
        }
        for (List<TaskInfo> items : groups.values()) {
            items.sort((a, b) -> a.enqueuedAt().compareTo(b.enqueuedAt()));
            Aggregation policy = policies.get(items.get(0).type());
            while (!items.isEmpty()) {
                boolean full = items.size() >= policy.maxSize();
                boolean due = !items.get(0).enqueuedAt().plus(policy.maxDelay()).isAfter(now);
                if (!full && !due) {
                    break;
                }
                List<TaskInfo> batch = take(items, policy.maxSize());
                flush(queue, batch);
                items = items.subList(batch.size(), items.size());
            }
        }
    }

    /** The first items, up to {@code max} and the batch payload limit. */
    private static List<TaskInfo> take(List<TaskInfo> items, int max) {
        List<TaskInfo> batch = new ArrayList<>();
        long bytes = 2;
        for (TaskInfo item : items) {
            long size = item.payloadJson().length() + 1L;
            if (batch.size() == max || (!batch.isEmpty() && bytes + size > MAX_BATCH_BYTES)) {
                break;
            }
            batch.add(item);
            bytes += size;
        }
        return batch;
    }

    private void flush(String queue, List<TaskInfo> batch) {
        TaskInfo first = batch.get(0);
        StringBuilder payload = new StringBuilder("[");
        StringBuilder ids = new StringBuilder();
        int priority = first.priority();
        int maxAttempts = first.maxAttempts();
        Duration timeout = first.timeout();
        for (TaskInfo item : batch) {
            payload.append(payload.length() > 1 ? "," : "").append(item.payloadJson());
            ids.append(ids.isEmpty() ? "" : ",").append(item.id());
            priority = Math.min(priority, item.priority());
            maxAttempts = Math.max(maxAttempts, item.maxAttempts());
            timeout = timeout.compareTo(item.timeout()) >= 0 ? timeout : item.timeout();
        }
        payload.append(']');
        Map<String, String> headers = new LinkedHashMap<>(first.headers());
        headers.put(SIZE_HEADER, String.valueOf(batch.size()));
        headers.put(ITEMS_HEADER, ids.toString());
        NewTask task = new NewTask("agg." + first.id(), queue, first.type(), payload.toString(), priority, Duration.ZERO, null,
                maxAttempts, timeout, null, null, first.retention(), first.deadRetention(), headers);
        EnqueueResult r = broker.enqueue(new EnqueueRequest(List.of(task))).results().get(0);
        List<String> toDelete = new ArrayList<>(r.status() == EnqueueResult.Status.DUPLICATE_ID
                ? broker.get(r.id()).map(t -> Arrays.asList(t.headers().getOrDefault(ITEMS_HEADER, "").split(","))).orElse(List.of())
                : batch.stream().map(TaskInfo::id).toList());
        // The oldest item, whose id names the batch, goes last: while any item of the batch is
        // left, the oldest is too, so an aggregator that reads the group meanwhile (this one after
        // a crash, or a new leader after this one's lease lapsed mid-round) forms a batch with the
        // same id, gets DUPLICATE_ID and deletes the stored batch's items instead of batching the
        // rest a second time.
        Collections.reverse(toDelete);
        for (String id : toDelete) {
            if (!id.isEmpty()) {
                broker.admin(new AdminCommand.Delete(id));
            }
        }
    }
}
