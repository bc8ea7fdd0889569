package dev.ferry.redis;

import dev.ferry.spi.Broker;
import dev.ferry.testing.BrokerContract;
import dev.ferry.testing.ManualClock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The conformance suite on a 3-master Redis Cluster the test starts: queues of one test land on
 * different slots and nodes ("a", "b", "contract", ...), so every cross-queue promise (ids and
 * unique keys global, claims across queues, stats and lists of all queues) is checked across slots.
 */
class RedisClusterConformanceTest extends BrokerContract {
    private static final RedisCluster cluster = RedisCluster.shared();
    private final Map<Broker, String> prefixes = new ConcurrentHashMap<>();

    @Override
    protected Broker newBroker(ManualClock clock) {
        String prefix = RedisTestSupport.newPrefix();
        RedisBroker broker = RedisBroker.builder(cluster.url()).keyPrefix(prefix).clock(clock)
                .clientResources(RedisTestSupport.RESOURCES).build();
        prefixes.put(broker, prefix);
        return broker;
    }

    @Override
    protected void closeBroker(Broker b) {
        b.close();
        String prefix = prefixes.remove(b);
        if (prefix != null) {
            RedisTestSupport.deleteClusterPrefix(cluster.seeds(), prefix);
        }
    }
}
