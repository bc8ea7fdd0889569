package dev.ferry.redis.internal;

import io.lettuce.core.RedisURI;
import java.util.List;

/**
 * Where the Redis is: one server (standalone, or the master found through Sentinel) or the seed
 * nodes of a Redis Cluster.
 *
 * @param uris    one URI for standalone and Sentinel; the seed nodes for a cluster
 * @param cluster true for Redis Cluster
 * @param display the location for messages, without password
 */
public record Endpoint(List<RedisURI> uris, boolean cluster, String display) {
    public Endpoint {
        uris = List.copyOf(uris);
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no Redis host given");
        }
        if (!cluster && uris.size() != 1) {
            throw new IllegalArgumentException("a standalone Redis has one address, got " + uris.size());
        }
    }
}
