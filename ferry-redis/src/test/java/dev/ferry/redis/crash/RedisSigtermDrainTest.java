package dev.ferry.redis.crash;

import dev.ferry.redis.RedisTestSupport;
import dev.ferry.testing.crash.SigtermDrainContract;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Worker JVMs on the shared Redis (a fresh key prefix), sent SIGTERM mid-run. */
class RedisSigtermDrainTest extends SigtermDrainContract {
    private String prefix;

    /** After the contract's own cleanup killed the children: drop the prefix's keys. */
    @RegisterExtension
    final AfterEachCallback cleanup = context -> {
        if (prefix != null) {
            RedisTestSupport.deletePrefix(RedisTestSupport.URL, prefix);
        }
    };

    @Override
    protected String brokerUrl(Path dir) {
        RedisTestSupport.requireRedis();
        prefix = RedisTestSupport.newPrefix();
        return RedisTestSupport.URL + "?keyPrefix=" + prefix;
    }
}
