package dev.ferry.redis.internal;

import dev.ferry.WorkerInfo;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.LeaderResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Idempotency records, leader leases and worker heartbeats, all on the global slot. */
public final class Coordination {
    private final Context ctx;

    public Coordination(Context ctx) {
        this.ctx = ctx;
    }

    public Optional<String> idempotency(IdempotencyRequest request) {
        Lifecycle.require(request.key(), "key");
        boolean store = request.resultJson() != null;
        if (store) {
            Lifecycle.require(request.ttl(), "ttl");
        }
        String value = ctx.redis().call(Script.IDEMPOTENCY, Context.list(ctx.keys().idempotency(request.key())),
                Context.list(ctx.now(), store ? "store" : "read", store ? request.resultJson() : "",
                        store ? Long.toString(request.ttl().toMillis()) : "0"));
        return Optional.ofNullable(value);
    }

    public LeaderResponse lead(LeaderRequest request) {
        Lifecycle.require(request.name(), "name");
        Lifecycle.require(request.holder(), "holder");
        Lifecycle.require(request.ttl(), "ttl");
        List<Object> r = ctx.redis().call(Script.LEAD, Context.list(ctx.keys().leader(request.name())),
                Context.list(ctx.now(), request.holder(), Long.toString(request.ttl().toMillis())));
        return new LeaderResponse(TaskCodec.asLong(r.get(0)) == 1, (String) r.get(1),
                Instant.ofEpochMilli(TaskCodec.asLong(r.get(2))));
    }

    public void heartbeat(WorkerInfo worker) {
        Lifecycle.require(worker, "worker");
        ctx.redis().call(Script.WORKERS, keys(), Context.list(ctx.now(), "beat", worker.workerId(), TaskCodec.worker(worker)));
    }

    public List<WorkerInfo> workers() {
        List<Object> r = ctx.redis().call(Script.WORKERS, keys(), Context.list(ctx.now(), "list"));
        List<WorkerInfo> out = new ArrayList<>();
        for (int i = 0; i + 2 < r.size(); i += 3) {
            out.add(TaskCodec.worker((String) r.get(i), (String) r.get(i + 1), Long.parseLong((String) r.get(i + 2))));
        }
        out.sort(Comparator.comparing(WorkerInfo::workerId));
        return out;
    }

    public void unregister(String workerId) {
        Lifecycle.require(workerId, "workerId");
        ctx.redis().call(Script.WORKERS, keys(), Context.list(ctx.now(), "unregister", workerId));
    }

    private List<String> keys() {
        return Context.list(ctx.keys().workers(), ctx.keys().heartbeats());
    }
}
