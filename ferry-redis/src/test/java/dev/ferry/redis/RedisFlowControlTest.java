package dev.ferry.redis;

import dev.ferry.spi.Broker;
import dev.ferry.testing.FlowControlContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flow control and the explainer on Redis, isolated by key prefix. */
class RedisFlowControlTest extends FlowControlContract {
    private String prefix;

    @RegisterExtension
    final AfterEachCallback cleanup = context -> {
        if (prefix != null) {
            RedisTestSupport.deletePrefix(RedisTestSupport.URL, prefix);
        }
    };

    @BeforeAll
    static void redisIsUp() {
        RedisTestSupport.requireRedis();
    }

    @Override
    protected Broker newBroker() {
        prefix = RedisTestSupport.newPrefix();
        return RedisTestSupport.builder(prefix).build();
    }
}
