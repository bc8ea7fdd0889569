package dev.ferry.redis.internal;

import dev.ferry.EnqueueResult;
import dev.ferry.InvalidInputException;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AckResponse;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimResponse;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.EnqueueResponse;
import dev.ferry.spi.Lease;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.ProgressRequest;
import dev.ferry.spi.ReleaseRequest;
import dev.ferry.spi.ReleaseResponse;
import dev.ferry.spi.RenewRequest;
import dev.ferry.spi.RenewResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The task lifecycle: enqueue, claim, renew, ack, release, progress.
 *
 * <h2>Enqueue across slots</h2>
 * Task ids and unique keys are global (a duplicate id in another queue is still a duplicate), while a
 * task lives in its queue's slot. On a standalone server (or Sentinel) one script checks the global
 * directory and unique-key holds and writes the task, atomically. On a Redis Cluster the same script
 * runs in two steps: {@code reserve} on the global slot, then {@code store} on each queue's slot.
 * Whatever a crash leaves between two steps, anywhere, is a stale reservation: a directory entry
 * whose task is missing, or a unique key held by a task that finished or is gone. An enqueue that
 * meets one as a "duplicate" checks the holder and, when it is stale, clears it and tries again, so
 * the caller sees the rules of {@code docs/spi.md} either way.
 *
 * <h2>Lease calls</h2>
 * Renew, ack and release are grouped by queue (one script call per queue, sent together, so one
 * round trip on a standalone server). Unique keys released by finished tasks go back in one more
 * call on the global slot.
 */
public final class Lifecycle {
    /** Tasks per enqueue script call: bounds how long one call holds the server. */
    private static final int CHUNK = 500;
    private static final int TASK_ARGS = 16;

    private final Context ctx;
    private final Directory directory;

    public Lifecycle(Context ctx, Directory directory) {
        this.ctx = ctx;
        this.directory = directory;
    }

    // ---- enqueue ----------------------------------------------------------------------------

    private record Res(String status, String id, String otherQueue) {
    }

    public EnqueueResponse enqueue(EnqueueRequest request) {
        List<NewTask> tasks = request.tasks();
        for (NewTask t : tasks) {
            check(t);
        }
        Res[] results = new Res[tasks.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            todo.add(i);
        }
        for (int round = 0; !todo.isEmpty(); round++) {
            List<NewTask> batch = todo.stream().map(tasks::get).toList();
            List<Res> got = attempt(batch);
            for (int j = 0; j < todo.size(); j++) {
                results[todo.get(j)] = got.get(j);
            }
            if (round == 2 || !healStale(batch, got)) {
                break;
            }
            List<Integer> again = new ArrayList<>();
            for (int i : todo) {
                if (!results[i].status().equals("C")) {
                    again.add(i);
                }
            }
            todo = again;
        }
        List<EnqueueResult> out = new ArrayList<>(tasks.size());
        for (Res r : results) {
            out.add(new EnqueueResult(r.id(), switch (r.status()) {
                case "C" -> EnqueueResult.Status.CREATED;
                case "I" -> EnqueueResult.Status.DUPLICATE_ID;
                default -> EnqueueResult.Status.DUPLICATE_UNIQUE_KEY;
            }));
        }
        return new EnqueueResponse(out);
    }

    private List<Res> attempt(List<NewTask> tasks) {
        RedisConnection r = ctx.redis();
        List<CompletableFuture<List<Object>>> calls = new ArrayList<>();
        if (!ctx.cluster()) {
            for (int from = 0; from < tasks.size(); from += CHUNK) {
                List<NewTask> chunk = tasks.subList(from, Math.min(tasks.size(), from + CHUNK));
                List<String> keys = globalKeys();
                Map<String, Integer> blocks = new LinkedHashMap<>();
                for (NewTask t : chunk) {
                    if (!blocks.containsKey(t.queue())) {
                        blocks.put(t.queue(), blocks.size() + 1);
                        keys.addAll(queueKeys(t.queue()));
                    }
                }
                calls.add(r.eval(Script.ENQUEUE, keys, enqueueArgs("all", chunk, blocks)));
            }
            return parse(r.awaitAll(calls, "enqueue"));
        }
        // Redis Cluster: reserve on the global slot, then store in each queue's slot.
        for (int from = 0; from < tasks.size(); from += CHUNK) {
            List<NewTask> chunk = tasks.subList(from, Math.min(tasks.size(), from + CHUNK));
            calls.add(r.eval(Script.ENQUEUE, globalKeys(), enqueueArgs("reserve", chunk, Map.of())));
        }
        List<Res> reserved = parse(r.awaitAll(calls, "enqueue (reserve)"));
        Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            if (reserved.get(i).status().equals("C")) {
                byQueue.computeIfAbsent(tasks.get(i).queue(), q -> new ArrayList<>()).add(i);
            }
        }
        List<List<Integer>> order = new ArrayList<>();
        List<CompletableFuture<List<Object>>> stores = new ArrayList<>();
        for (var e : byQueue.entrySet()) {
            List<Integer> idx = e.getValue();
            for (int from = 0; from < idx.size(); from += CHUNK) {
                List<Integer> part = idx.subList(from, Math.min(idx.size(), from + CHUNK));
                order.add(part);
                stores.add(r.eval(Script.ENQUEUE, queueKeys(e.getKey()),
                        enqueueArgs("store", part.stream().map(tasks::get).toList(), Map.of(e.getKey(), 1))));
            }
        }
        List<Res> out = new ArrayList<>(reserved);
        List<List<Object>> stored = r.awaitAll(stores, "enqueue (store)");
        for (int s = 0; s < order.size(); s++) {
            List<Res> part = parse(List.of(stored.get(s)));
            for (int j = 0; j < part.size(); j++) {
                out.set(order.get(s).get(j), part.get(j));
            }
        }
        return out;
    }

    private List<String> globalKeys() {
        return Context.list(ctx.keys().ids(), ctx.keys().queues(), ctx.keys().uniquePrefix());
    }

    private List<String> queueKeys(String queue) {
        Keys.Queue q = ctx.keys().queue(queue);
        return Context.list(q.pending(), q.scheduled(), q.seq(), q.taskPrefix(), q.wake(), q.ready(), q.fair());
    }

    private List<String> enqueueArgs(String mode, List<NewTask> tasks, Map<String, Integer> blocks) {
        List<String> a = new ArrayList<>(3 + tasks.size() * TASK_ARGS);
        a.add(ctx.now());
        a.add(mode);
        a.add(Integer.toString(tasks.size()));
        for (NewTask t : tasks) {
            a.add(t.id());
            a.add(t.queue());
            a.add(Integer.toString(blocks.getOrDefault(t.queue(), 1)));
            a.add(t.type());
            a.add(t.payloadJson());
            a.add(Integer.toString(t.priority()));
            a.add(Long.toString(t.delay().toMillis()));
            a.add(t.runAt() == null ? "" : Long.toString(t.runAt().toEpochMilli()));
            a.add(Integer.toString(t.maxAttempts()));
            a.add(Long.toString(t.timeout().toMillis()));
            a.add(t.uniqueKey() == null ? "" : t.uniqueKey());
            a.add(t.uniqueKey() == null ? "0" : Long.toString(t.uniqueFor().toMillis()));
            a.add(Long.toString(t.retention().toMillis()));
            a.add(Long.toString(t.deadRetention().toMillis()));
            a.add(TaskCodec.headers(t.headers()));
            a.add(t.tenant() == null ? "" : t.tenant());
        }
        return a;
    }

    private static List<Res> parse(List<List<Object>> replies) {
        List<Res> out = new ArrayList<>();
        for (List<Object> reply : replies) {
            for (int i = 0; i + 2 < reply.size(); i += 3) {
                out.add(new Res((String) reply.get(i), (String) reply.get(i + 1), TaskCodec.asString(reply.get(i + 2))));
            }
        }
        return out;
    }

    /**
     * Looks at the holders behind "duplicate" answers; clears those that are stale (see the class
     * comment). True when something was cleared, so the refused tasks are tried again.
     */
    private boolean healStale(List<NewTask> tasks, List<Res> got) {
        RedisConnection r = ctx.redis();
        List<String> dirPairs = new ArrayList<>();
        List<String> uniquePairs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String[]> suspects = new ArrayList<>(); // {kind, holder id, holder queue, unique key}
        for (int i = 0; i < got.size(); i++) {
            Res res = got.get(i);
            if (res.status().equals("I") && seen.add("I" + res.id())) {
                suspects.add(new String[] {"I", res.id(), res.otherQueue(), null});
            } else if (res.status().equals("U") && seen.add("U" + tasks.get(i).uniqueKey())) {
                suspects.add(new String[] {"U", res.id(), res.otherQueue(), tasks.get(i).uniqueKey()});
            }
        }
        if (suspects.isEmpty()) {
            return false;
        }
        List<String[]> missing = new ArrayList<>();
        List<String> states = holderStates(suspects);
        for (int i = 0; i < suspects.size(); i++) {
            String[] s = suspects.get(i);
            String state = states.get(i);
            if (state == null) {
                missing.add(s);
            } else if (s[0].equals("U") && (state.equals("C") || state.equals("D") || state.equals("X"))) {
                uniquePairs.add(s[3]);
                uniquePairs.add(s[1]);
            }
        }
        if (!missing.isEmpty() && ctx.cluster()) {
            // In a cluster a holder may be between its two enqueue steps: look again after they surely ended.
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            List<String> again = holderStates(missing);
            List<String[]> still = new ArrayList<>();
            for (int i = 0; i < missing.size(); i++) {
                if (again.get(i) == null) {
                    still.add(missing.get(i));
                }
            }
            missing = still;
        }
        for (String[] s : missing) {
            if (!s[2].isEmpty()) {
                dirPairs.add(s[1]);
                dirPairs.add(s[2]);
            }
            if (s[0].equals("U")) {
                uniquePairs.add(s[3]);
                uniquePairs.add(s[1]);
            }
        }
        if (dirPairs.isEmpty() && uniquePairs.isEmpty()) {
            return false;
        }
        forget(dirPairs, uniquePairs);
        return true;
    }

    /** The stored state code of each suspect holder, or null when its task is missing. */
    private List<String> holderStates(List<String[]> suspects) {
        RedisConnection r = ctx.redis();
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (String[] s : suspects) {
            if (s[2].isEmpty()) {
                calls.add(CompletableFuture.completedFuture(null));
            } else {
                calls.add(r.commands().hget(ctx.keys().queue(s[2]).task(s[1]), "s").toCompletableFuture());
            }
        }
        return r.awaitAll(calls, "HGET holder state");
    }

    /** Releases unique keys and drops directory entries on the global slot (conditionally: see forget.lua). */
    void forget(List<String> dirPairs, List<String> uniquePairs) {
        if (dirPairs.isEmpty() && uniquePairs.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(1 + dirPairs.size() + uniquePairs.size());
        args.add(Integer.toString(dirPairs.size() / 2));
        args.addAll(dirPairs);
        args.addAll(uniquePairs);
        ctx.redis().call(Script.FORGET, Context.list(ctx.keys().ids(), ctx.keys().uniquePrefix()), args);
    }

    private static void check(NewTask t) {
        require(t.id(), "id");
        require(t.queue(), "queue");
        require(t.type(), "type");
        require(t.payloadJson(), "payload");
        require(t.timeout(), "timeout");
        require(t.retention(), "retention");
        require(t.deadRetention(), "deadRetention");
        if (t.uniqueKey() != null) {
            require(t.uniqueFor(), "uniqueFor");
        }
        if (t.queue().indexOf('{') >= 0 || t.queue().indexOf('}') >= 0) {
            throw new InvalidInputException("queue", "must not contain braces: '" + t.queue() + "'");
        }
    }

    static void require(Object value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "must not be null");
        }
    }

    // ---- claim ------------------------------------------------------------------------------

    public ClaimResponse claim(ClaimRequest request) {
        require(request.lease(), "lease");
        List<String> queues = new ArrayList<>(new LinkedHashSet<>(request.queues()));
        List<ClaimedTask> taken = new ArrayList<>();
        if (queues.isEmpty()) {
            return new ClaimResponse(taken);
        }
        if (!ctx.cluster()) {
            List<String> keys = new ArrayList<>();
            for (String q : queues) {
                keys.addAll(claimKeys(q));
            }
            taken.addAll(claimed(queues, ctx.redis().call(Script.CLAIM, keys, claimArgs(request, request.max()))));
        } else {
            for (String q : queues) {
                int left = request.max() - taken.size();
                if (left <= 0) {
                    break;
                }
                taken.addAll(claimed(List.of(q), ctx.redis().call(Script.CLAIM, claimKeys(q), claimArgs(request, left))));
            }
        }
        return new ClaimResponse(taken);
    }

    private List<String> claimKeys(String queue) {
        Keys.Queue q = ctx.keys().queue(queue);
        return Context.list(q.pending(), q.scheduled(), q.retrying(), q.active(), q.seq(), q.taskPrefix(), q.paused(),
                q.ready());
    }

    private List<String> claimArgs(ClaimRequest request, int max) {
        return Context.list(ctx.now(), request.workerId(), Integer.toString(max), Long.toString(request.lease().toMillis()));
    }

    private List<ClaimedTask> claimed(List<String> queues, List<Object> rows) {
        List<ClaimedTask> out = new ArrayList<>();
        for (int i = 0; i + 11 < rows.size(); i += 12) {
            String queue = queues.get((int) TaskCodec.asLong(rows.get(i)) - 1);
            String id = (String) rows.get(i + 1);
            directory.remember(id, queue);
            out.add(new ClaimedTask(new Lease(id, TaskCodec.asLong(rows.get(i + 2))), queue, (String) rows.get(i + 3),
                    (String) rows.get(i + 4), (int) TaskCodec.asLong(rows.get(i + 5)), (int) TaskCodec.asLong(rows.get(i + 6)),
                    (int) TaskCodec.asLong(rows.get(i + 7)), Duration.ofMillis(TaskCodec.asLong(rows.get(i + 8))),
                    Instant.ofEpochMilli(TaskCodec.asLong(rows.get(i + 9))),
                    Instant.ofEpochMilli(TaskCodec.asLong(rows.get(i + 10))),
                    TaskCodec.headers(TaskCodec.asString(rows.get(i + 11)))));
        }
        return out;
    }

    // ---- lease calls ------------------------------------------------------------------------

    /** Leases grouped by queue; those of unknown tasks go to {@code unknown}. */
    private <T> Map<String, List<T>> byQueue(List<T> items, java.util.function.Function<T, String> id, Set<String> unknown) {
        Map<String, String> queues = directory.queuesOf(items.stream().map(id).toList());
        Map<String, List<T>> out = new LinkedHashMap<>();
        for (T item : items) {
            String q = queues.get(id.apply(item));
            if (q == null) {
                unknown.add(id.apply(item));
            } else {
                out.computeIfAbsent(q, k -> new ArrayList<>()).add(item);
            }
        }
        return out;
    }

    public RenewResponse renew(RenewRequest request) {
        require(request.lease(), "lease");
        Set<String> lost = new HashSet<>();
        Set<String> cancel = new HashSet<>();
        Map<String, List<Lease>> groups = byQueue(request.leases(), Lease::taskId, lost);
        List<CompletableFuture<List<Object>>> calls = new ArrayList<>();
        for (var e : groups.entrySet()) {
            Keys.Queue q = ctx.keys().queue(e.getKey());
            List<String> args = Context.list(ctx.now(), Long.toString(request.lease().toMillis()));
            for (Lease l : e.getValue()) {
                args.add(l.taskId());
                args.add(Long.toString(l.token()));
            }
            calls.add(ctx.redis().eval(Script.RENEW, Context.list(q.active(), q.taskPrefix()), args));
        }
        for (List<Object> reply : ctx.redis().awaitAll(calls, "renew")) {
            ((List<?>) reply.get(0)).forEach(id -> lost.add((String) id));
            ((List<?>) reply.get(1)).forEach(id -> cancel.add((String) id));
        }
        return new RenewResponse(lost, cancel);
    }

    public AckResponse ack(AckRequest request) {
        for (Ack a : request.acks()) {
            require(a.lease(), "lease");
            require(a.outcome(), "outcome");
            switch (a.outcome()) {
                case Outcome.Retry r -> require(r.delay(), "delay");
                case Outcome.Snooze s -> require(s.delay(), "delay");
                case Outcome.Dead d -> require(d.reason(), "reason");
                case Outcome.Completed c -> { }
                case Outcome.Cancelled c -> { }
            }
        }
        Set<String> rejected = new HashSet<>();
        Map<String, List<Ack>> groups = byQueue(request.acks(), a -> a.lease().taskId(), rejected);
        List<CompletableFuture<List<Object>>> calls = new ArrayList<>();
        for (var e : groups.entrySet()) {
            Keys.Queue q = ctx.keys().queue(e.getKey());
            List<String> args = Context.list(ctx.now());
            for (Ack a : e.getValue()) {
                args.add(a.lease().taskId());
                args.add(Long.toString(a.lease().token()));
                switch (a.outcome()) {
                    case Outcome.Completed c -> {
                        args.add("C");
                        args.add(c.resultJson() == null ? "" : c.resultJson());
                        args.add("");
                    }
                    case Outcome.Retry r -> {
                        args.add("R");
                        args.add(Long.toString(r.delay().toMillis()));
                        args.add(TaskCodec.error(r.error()));
                    }
                    case Outcome.Snooze s -> {
                        args.add("S");
                        args.add(Long.toString(s.delay().toMillis()));
                        args.add("");
                    }
                    case Outcome.Dead d -> {
                        args.add("D");
                        args.add(d.reason().name());
                        args.add(TaskCodec.error(d.error()));
                    }
                    case Outcome.Cancelled c -> {
                        args.add("X");
                        args.add("");
                        args.add("");
                    }
                }
                directory.forget(a.lease().taskId());
            }
            calls.add(ctx.redis().eval(Script.ACK, Context.list(q.active(), q.scheduled(), q.retrying(), q.completed(),
                    q.dead(), q.cancelled(), q.expiry(), q.stats(), q.taskPrefix(), q.wake()), args));
        }
        List<String> unique = new ArrayList<>();
        for (List<Object> reply : ctx.redis().awaitAll(calls, "ack")) {
            ((List<?>) reply.get(0)).forEach(id -> rejected.add((String) id));
            ((List<?>) reply.get(1)).forEach(v -> unique.add((String) v));
        }
        forget(List.of(), unique);
        return new AckResponse(rejected);
    }

    public ReleaseResponse release(ReleaseRequest request) {
        Map<String, List<Lease>> groups = byQueue(request.leases(), Lease::taskId, new HashSet<>());
        List<CompletableFuture<Long>> calls = new ArrayList<>();
        for (var e : groups.entrySet()) {
            Keys.Queue q = ctx.keys().queue(e.getKey());
            List<String> args = Context.list(ctx.now());
            for (Lease l : e.getValue()) {
                args.add(l.taskId());
                args.add(Long.toString(l.token()));
                directory.forget(l.taskId());
            }
            calls.add(ctx.redis().eval(Script.RELEASE, Context.list(q.active(), q.pending(), q.taskPrefix(), q.wake(), q.ready()), args));
        }
        long released = 0;
        for (Long n : ctx.redis().awaitAll(calls, "release")) {
            released += n;
        }
        return new ReleaseResponse((int) released);
    }

    public boolean progress(ProgressRequest request) {
        require(request.lease(), "lease");
        String queue = directory.queueOf(request.lease().taskId());
        if (queue == null) {
            return false;
        }
        Long stored = ctx.redis().call(Script.PROGRESS,
                Context.list(ctx.keys().queue(queue).task(request.lease().taskId())),
                Context.list(ctx.now(), Long.toString(request.lease().token()),
                        request.progressJson() == null ? "null" : request.progressJson()));
        return stored == 1;
    }
}
