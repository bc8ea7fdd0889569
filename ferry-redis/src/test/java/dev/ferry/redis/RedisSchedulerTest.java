package dev.ferry.redis;

import dev.ferry.spi.Broker;
import dev.ferry.testing.ManualClock;
import dev.ferry.testing.SchedulerContract;
import org.junit.jupiter.api.BeforeAll;

/**
 * The cron scheduler's promises on the Redis broker, each test under a fresh key prefix (deleted
 * afterwards), with the contract's manual clock passed to every script.
 */
class RedisSchedulerTest extends SchedulerContract {
    private String prefix;

    @BeforeAll
    static void redisIsUp() {
        RedisTestSupport.requireRedis();
    }

    @Override
    protected Broker newBroker(ManualClock clock) {
        prefix = RedisTestSupport.newPrefix();
        return RedisTestSupport.builder(prefix).clock(clock).build();
    }

    @Override
    protected void closeBroker(Broker b) {
        b.close();
        RedisTestSupport.deletePrefix(RedisTestSupport.URL, prefix);
    }
}
