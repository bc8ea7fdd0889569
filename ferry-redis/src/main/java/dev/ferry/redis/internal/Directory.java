package dev.ferry.redis.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the queue of a task id. A task never changes queue, so the queue of a task this process
 * claimed is remembered (bounded) and lease calls (renew, ack, release) need no extra round trip;
 * other ids are looked up in the directory hash on the global slot.
 */
public final class Directory {
    private static final int MAX_CACHED = 100_000;

    private final Context ctx;
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    public Directory(Context ctx) {
        this.ctx = ctx;
    }

    void remember(String id, String queue) {
        if (cache.size() >= MAX_CACHED) {
            cache.clear(); // crude bound: a miss only costs one HMGET
        }
        cache.put(id, queue);
    }

    void forget(String id) {
        cache.remove(id);
    }

    /** The queue of each id that is stored; ids without a directory entry are absent. */
    Map<String, String> queuesOf(Collection<String> ids) {
        Map<String, String> out = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            String q = cache.get(id);
            if (q != null) {
                out.put(id, q);
            } else {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            RedisConnection r = ctx.redis();
            var values = r.await(r.commands().hmget(ctx.keys().ids(), missing.toArray(String[]::new)), "HMGET ids");
            for (var kv : values) {
                if (kv.hasValue()) {
                    out.put(kv.getKey(), kv.getValue());
                }
            }
        }
        return out;
    }

    /** The queue of one id, or null when it is not stored. */
    String queueOf(String id) {
        return queuesOf(List.of(id)).get(id);
    }
}
