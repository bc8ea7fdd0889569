package dev.ferry.redis;

import dev.ferry.spi.Broker;
import dev.ferry.testing.BrokerContract;
import dev.ferry.testing.ManualClock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Redis broker passes the conformance suite on the shared standalone Redis, each test under a
 * fresh key prefix (deleted afterwards), with the suite's manual clock passed to every script.
 */
class RedisBrokerConformanceTest extends BrokerContract {
    private final Map<Broker, String> prefixes = new ConcurrentHashMap<>();

    @BeforeAll
    static void redisIsUp() {
        RedisTestSupport.requireRedis();
    }

    @Override
    protected Broker newBroker(ManualClock clock) {
        String prefix = RedisTestSupport.newPrefix();
        RedisBroker broker = RedisTestSupport.builder(prefix).clock(clock).build();
        prefixes.put(broker, prefix);
        return broker;
    }

    @Override
    protected void closeBroker(Broker b) {
        b.close();
        String prefix = prefixes.remove(b);
        if (prefix != null) {
            RedisTestSupport.deletePrefix(RedisTestSupport.URL, prefix);
        }
    }
}
