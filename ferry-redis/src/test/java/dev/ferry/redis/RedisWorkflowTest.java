package dev.ferry.redis;

import dev.ferry.spi.Broker;
import dev.ferry.testing.WorkflowContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Workflows on the Redis broker (server time), each test under a fresh key prefix. */
class RedisWorkflowTest extends WorkflowContract {
    private String prefix;

    /** Runs after the contract's own @AfterEach stopped the workers and closed the broker. */
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
