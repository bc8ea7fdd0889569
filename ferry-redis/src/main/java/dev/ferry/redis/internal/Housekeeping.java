package dev.ferry.redis.internal;

import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PromoteResponse;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.PruneResponse;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.RecoverResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Recovery of expired leases, promotion of due tasks and pruning, queue by queue (each queue is its
 * own slot), in the registry's name order, until the request's limit is spent. Every step is
 * idempotent, so any number of workers (and a standalone promoter) may run them at once.
 */
public final class Housekeeping {
    private final Context ctx;
    private final Lifecycle lifecycle;

    public Housekeeping(Context ctx, Lifecycle lifecycle) {
        this.ctx = ctx;
        this.lifecycle = lifecycle;
    }

    public RecoverResponse recoverExpired(RecoverRequest request) {
        int requeued = 0;
        int dead = 0;
        List<String> unique = new ArrayList<>();
        for (String name : ctx.knownQueues()) {
            int left = request.limit() - requeued - dead;
            if (left <= 0) {
                break;
            }
            Keys.Queue q = ctx.keys().queue(name);
            List<Object> r = ctx.redis().call(Script.RECOVER,
                    Context.list(q.active(), q.pending(), q.dead(), q.expiry(), q.stats(), q.taskPrefix(), q.wake(), q.ready()),
                    Context.list(ctx.now(), Integer.toString(request.maxLeaseExpirations()), Integer.toString(left)));
            requeued += (int) TaskCodec.asLong(r.get(0));
            dead += (int) TaskCodec.asLong(r.get(1));
            ((List<?>) r.get(2)).forEach(v -> unique.add((String) v));
        }
        lifecycle.forget(List.of(), unique);
        return new RecoverResponse(requeued, dead);
    }

    public PromoteResponse promote(PromoteRequest request) {
        int promoted = 0;
        for (String name : ctx.knownQueues()) {
            int left = request.limit() - promoted;
            if (left <= 0) {
                break;
            }
            Keys.Queue q = ctx.keys().queue(name);
            Long n = ctx.redis().call(Script.PROMOTE,
                    Context.list(q.pending(), q.scheduled(), q.retrying(), q.taskPrefix(), q.wake(), q.ready()),
                    Context.list(ctx.now(), Integer.toString(left)));
            promoted += n.intValue();
        }
        return new PromoteResponse(promoted);
    }

    public PruneResponse prune(PruneRequest request) {
        int pruned = 0;
        List<String> dir = new ArrayList<>();
        for (String name : ctx.knownQueues()) {
            int left = request.limit() - pruned;
            if (left <= 0) {
                break;
            }
            Keys.Queue q = ctx.keys().queue(name);
            List<Object> ids = ctx.redis().call(Script.PRUNE,
                    Context.list(q.expiry(), q.completed(), q.dead(), q.cancelled(), q.taskPrefix()),
                    Context.list(ctx.now(), Integer.toString(left)));
            for (Object id : ids) {
                dir.add((String) id);
                dir.add(name);
            }
            pruned += ids.size();
        }
        lifecycle.forget(dir, List.of());
        // Unique keys, idempotency records and leader leases carry Redis TTLs and go by themselves.
        ctx.redis().call(Script.WORKERS, Context.list(ctx.keys().workers(), ctx.keys().heartbeats()),
                Context.list(ctx.now(), "sweep"));
        return new PruneResponse(pruned);
    }
}
