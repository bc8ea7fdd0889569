package dev.ferry.redis.internal;

import dev.ferry.QueueStats;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.AdminResponse;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.TaskPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Stats, listing, lookup and administration. Reads across queues ask each queue's slot and merge
 * in Java; bulk changes (purge, replay) go in batches of {@value #BATCH} tasks per script call, so
 * no single call holds the server long (each batch is atomic, the whole command is not).
 */
public final class Inspection {
    private static final int BATCH = 1000;

    private final Context ctx;
    private final Directory directory;
    private final Lifecycle lifecycle;

    public Inspection(Context ctx, Directory directory, Lifecycle lifecycle) {
        this.ctx = ctx;
        this.directory = directory;
        this.lifecycle = lifecycle;
    }

    public List<QueueStats> stats(List<String> names) {
        List<String> selected = names.isEmpty() ? ctx.knownQueues() : new ArrayList<>(new TreeSet<>(names));
        List<CompletableFuture<List<Object>>> calls = new ArrayList<>();
        for (String name : selected) {
            Keys.Queue q = ctx.keys().queue(name);
            calls.add(ctx.redis().eval(Script.STATS, Context.list(q.pending(), q.scheduled(), q.active(), q.retrying(),
                    q.completed(), q.dead(), q.cancelled(), q.stats(), q.paused(), q.taskPrefix(), q.fair()), List.of()));
        }
        List<List<Object>> replies = ctx.redis().awaitAll(calls, "stats");
        List<QueueStats> out = new ArrayList<>(selected.size());
        TaskState[] order = {TaskState.PENDING, TaskState.SCHEDULED, TaskState.ACTIVE, TaskState.RETRYING,
            TaskState.COMPLETED, TaskState.DEAD, TaskState.CANCELLED};
        for (int i = 0; i < selected.size(); i++) {
            List<Object> r = replies.get(i);
            Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
            for (int s = 0; s < order.length; s++) {
                counts.put(order[s], TaskCodec.asLong(r.get(s)));
            }
            String oldest = TaskCodec.asString(r.get(12));
            out.add(new QueueStats(selected.get(i), counts, TaskCodec.asLong(r.get(7)) == 1, TaskCodec.asLong(r.get(8)),
                    TaskCodec.asLong(r.get(9)), TaskCodec.asLong(r.get(10)), TaskCodec.asLong(r.get(11)),
                    oldest.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(oldest))));
        }
        return out;
    }

    private record Row(long sortKey, String member, TaskInfo task) {
    }

    public TaskPage list(ListRequest request) {
        Lifecycle.require(request.state(), "state");
        int offset = Math.max(0, request.offset());
        int limit = Math.max(0, request.limit());
        if (request.state() == TaskState.WAITING || limit == 0) {
            return new TaskPage(List.of(), false);
        }
        List<String> queues = request.queue() == null ? ctx.knownQueues() : List.of(request.queue());
        boolean one = queues.size() == 1;
        List<CompletableFuture<List<Object>>> calls = new ArrayList<>();
        for (String name : queues) {
            Keys.Queue q = ctx.keys().queue(name);
            String set = switch (request.state()) {
                case PENDING -> q.pending();
                case SCHEDULED -> q.scheduled();
                case RETRYING -> q.retrying();
                case ACTIVE -> q.active();
                case COMPLETED -> q.completed();
                case DEAD -> q.dead();
                case CANCELLED -> q.cancelled();
                case WAITING -> throw new IllegalStateException();
            };
            String order = request.state().isFinished() ? "desc" : request.state() == TaskState.ACTIVE ? "started" : "asc";
            int from = one ? offset : 0;
            int count = one ? limit + 1 : offset + limit + 1;
            calls.add(ctx.redis().eval(Script.LIST, Context.list(set, q.taskPrefix()),
                    Context.list(order, Integer.toString(from), Integer.toString(count))));
        }
        List<List<Object>> replies = ctx.redis().awaitAll(calls, "list");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < queues.size(); i++) {
            for (Object o : replies.get(i)) {
                List<?> row = (List<?>) o;
                String member = (String) row.get(1);
                Map<String, String> hash = TaskCodec.hash((List<?>) row.get(2));
                if (hash.isEmpty()) {
                    continue; // deleted between the index read and the hash read: not listed
                }
                rows.add(new Row(Long.parseLong((String) row.get(0)), member,
                        TaskCodec.decode(member.substring(14), queues.get(i), hash)));
            }
        }
        Comparator<Row> asc = Comparator.comparingLong(Row::sortKey).thenComparing(Row::member);
        rows.sort(request.state().isFinished() ? asc.reversed() : asc);
        int skip = one ? 0 : offset;
        List<TaskInfo> page = new ArrayList<>();
        for (int i = skip; i < Math.min(rows.size(), skip + limit); i++) {
            page.add(rows.get(i).task());
        }
        return new TaskPage(page, rows.size() > skip + limit);
    }

    public Optional<TaskInfo> get(String id) {
        String queue = directory.queueOf(id);
        if (queue == null) {
            return Optional.empty();
        }
        RedisConnection r = ctx.redis();
        Map<String, String> hash = r.await(r.commands().hgetall(ctx.keys().queue(queue).task(id)), "HGETALL task");
        return hash.isEmpty() ? Optional.empty() : Optional.of(TaskCodec.decode(id, queue, hash));
    }

    public AdminResponse admin(AdminCommand command) {
        Lifecycle.require(command, "command");
        return new AdminResponse(switch (command) {
            case AdminCommand.Retry c -> {
                String queue = directory.queueOf(c.taskId());
                yield queue == null ? 0 : retry(queue, "id", c.taskId());
            }
            case AdminCommand.Cancel c -> {
                String queue = directory.queueOf(c.taskId());
                if (queue == null) {
                    yield 0;
                }
                Keys.Queue q = ctx.keys().queue(queue);
                List<Object> r = ctx.redis().call(Script.CANCEL, Context.list(q.pending(), q.scheduled(), q.retrying(),
                        q.cancelled(), q.expiry(), q.task(c.taskId()), q.ready()), Context.list(ctx.now(), c.taskId()));
                String unique = TaskCodec.asString(r.get(1));
                if (!unique.isEmpty()) {
                    lifecycle.forget(List.of(), List.of(unique, c.taskId()));
                }
                yield TaskCodec.asLong(r.get(0));
            }
            case AdminCommand.Delete c -> {
                String queue = directory.queueOf(c.taskId());
                yield queue == null ? 0 : delete(queue, Context.list("id", c.taskId()));
            }
            case AdminCommand.Purge c -> {
                Lifecycle.require(c.queue(), "queue");
                List<String> args = Context.list("purge", Integer.toString(BATCH));
                for (TaskState s : c.states()) {
                    if (s != TaskState.ACTIVE && s != TaskState.WAITING) {
                        args.add(TaskCodec.code(s));
                    }
                }
                long n = 0;
                if (args.size() > 2) {
                    long got;
                    do {
                        got = delete(c.queue(), args);
                        n += got;
                    } while (got == BATCH);
                }
                yield n;
            }
            case AdminCommand.ReplayDead c -> {
                long n = 0;
                for (String queue : c.queue() == null ? ctx.knownQueues() : List.of(c.queue())) {
                    long got;
                    do {
                        got = retry(queue, "dead", Integer.toString(BATCH));
                        n += got;
                    } while (got == BATCH);
                }
                yield n;
            }
            case AdminCommand.Pause c -> {
                Lifecycle.require(c.queue(), "queue");
                Keys.Queue q = ctx.keys().queue(c.queue());
                ctx.redis().await(ctx.redis().commands().sadd(ctx.keys().queues(), c.queue()), "SADD queues");
                yield ctx.redis().<Long>call(Script.PAUSE, Context.list(q.paused(), q.wake()), Context.list("pause"));
            }
            case AdminCommand.Resume c -> {
                Lifecycle.require(c.queue(), "queue");
                Keys.Queue q = ctx.keys().queue(c.queue());
                yield ctx.redis().<Long>call(Script.PAUSE, Context.list(q.paused(), q.wake()), Context.list("resume"));
            }
        });
    }

    private long retry(String queue, String mode, String arg) {
        Keys.Queue q = ctx.keys().queue(queue);
        Long n = ctx.redis().call(Script.RETRY, Context.list(q.pending(), q.scheduled(), q.retrying(), q.dead(),
                q.cancelled(), q.expiry(), q.taskPrefix(), q.wake(), q.ready()), Context.list(ctx.now(), mode, arg));
        return n;
    }

    /** Runs delete.lua once; releases what the deleted tasks held on the global slot. */
    private long delete(String queue, List<String> args) {
        Keys.Queue q = ctx.keys().queue(queue);
        List<Object> r = ctx.redis().call(Script.DELETE, Context.list(q.pending(), q.scheduled(), q.retrying(),
                q.completed(), q.dead(), q.cancelled(), q.expiry(), q.taskPrefix(), q.ready()), args);
        List<String> dir = new ArrayList<>();
        List<String> unique = new ArrayList<>();
        for (int i = 0; i + 1 < r.size(); i += 2) {
            String id = (String) r.get(i);
            String key = TaskCodec.asString(r.get(i + 1));
            directory.forget(id);
            dir.add(id);
            dir.add(queue);
            if (!key.isEmpty()) {
                unique.add(key);
                unique.add(id);
            }
        }
        lifecycle.forget(dir, unique);
        return r.size() / 2;
    }
}
