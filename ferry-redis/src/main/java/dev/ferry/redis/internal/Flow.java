package dev.ferry.redis.internal;

import dev.ferry.BrokerException;
import dev.ferry.spi.PermitOp;
import dev.ferry.spi.PermitRequest;
import dev.ferry.spi.PermitResponse;
import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecordResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Flow control (token buckets, semaphores) and stored records.
 *
 * <p>Each bucket, semaphore and record namespace is one key with a hash tag of its own (see
 * {@link Keys#bucket}), so each operation is one script call on one slot, atomic by itself. A batch
 * of operations is sent at once (pipelined on the one connection; on a cluster, to whichever nodes
 * own the keys) and the replies are read in order: operations on the same key reach its server in
 * the order given, which is all the SPI promises (each atomic, in order, not one transaction).
 */
public final class Flow {
    private final Context ctx;

    public Flow(Context ctx) {
        this.ctx = ctx;
    }

    public PermitResponse permits(PermitRequest request) {
        Lifecycle.require(request, "request");
        RedisConnection r = ctx.redis();
        String now = ctx.now();
        List<CompletableFuture<Object>> calls = new ArrayList<>(request.ops().size());
        for (PermitOp op : request.ops()) {
            Lifecycle.require(op, "ops");
            calls.add(switch (op) {
                case PermitOp.Take t -> r.eval(Script.PERMIT_TAKE, Context.list(ctx.keys().bucket(t.name())),
                        Context.list(now, Long.toString(t.limit()), Long.toString(t.per().toMillis()), Long.toString(t.burst())));
                case PermitOp.Acquire a -> r.eval(Script.PERMIT_ACQUIRE, Context.list(ctx.keys().semaphore(a.name())),
                        Context.list(now, Integer.toString(a.limit()), a.holder(), Long.toString(a.ttl().toMillis())));
                case PermitOp.Release l -> r.eval(Script.PERMIT_RELEASE, Context.list(ctx.keys().semaphore(l.name())),
                        Context.list(now, l.holder()));
            });
        }
        List<PermitResponse.Result> results = new ArrayList<>(calls.size());
        for (Object reply : r.awaitAll(calls, "permits")) {
            if (reply instanceof List<?> pair) {
                results.add(TaskCodec.asLong(pair.get(0)) == 1
                        ? PermitResponse.Result.grant()
                        : PermitResponse.Result.deny(Instant.ofEpochMilli(TaskCodec.asLong(pair.get(1)))));
            } else {
                results.add(new PermitResponse.Result(TaskCodec.asLong(reply) == 1, null));
            }
        }
        return new PermitResponse(results);
    }

    public RecordResponse records(RecordCommand command) {
        Lifecycle.require(command, "command");
        String key = ctx.keys().records(command.namespace());
        List<String> args = switch (command) {
            case RecordCommand.Put p -> Context.list(ctx.now(), "put", p.key(), p.json(), p.onlyIfAbsent() ? "1" : "0");
            case RecordCommand.Get g -> Context.list(ctx.now(), "get", g.key());
            case RecordCommand.Delete d -> Context.list(ctx.now(), "delete", d.key());
            case RecordCommand.All a -> Context.list(ctx.now(), "all");
        };
        List<Object> reply = ctx.redis().call(Script.RECORDS, Context.list(key), args);
        int count = (int) TaskCodec.asLong(reply.get(0));
        List<RecordResponse.Entry> entries = new ArrayList<>();
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            entries.add(entry((String) reply.get(i), (String) reply.get(i + 1)));
        }
        entries.sort(Comparator.comparing(RecordResponse.Entry::key));
        return new RecordResponse(count, entries);
    }

    /** Decodes {@code <updatedAt ms>:<json>}. */
    private static RecordResponse.Entry entry(String key, String stored) {
        int colon = stored.indexOf(':');
        if (colon < 0) {
            throw new BrokerException("stored record '" + key + "' is malformed (no updatedAt)", false);
        }
        return new RecordResponse.Entry(key, stored.substring(colon + 1),
                Instant.ofEpochMilli(Long.parseLong(stored.substring(0, colon))));
    }
}
