/**
 * Ferry on Redis: a {@link dev.ferry.spi.Broker} on Lettuce where every state transition is one Lua
 * script. Open it with {@link dev.ferry.redis.RedisBroker#open(String)} or through a URL such as
 * {@code redis://localhost:6379} ({@code rediss://}, {@code redis-sentinel://}, {@code redis-cluster://}).
 */
module dev.ferry.redis {
    requires transitive dev.ferry;
    // transitive: the builder takes Lettuce's RedisURI and ClientResources
    requires transitive lettuce.core;

    exports dev.ferry.redis;

    provides dev.ferry.spi.BrokerProvider with dev.ferry.redis.RedisBrokerProvider;
}
