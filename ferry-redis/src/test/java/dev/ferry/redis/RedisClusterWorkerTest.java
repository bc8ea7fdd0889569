package dev.ferry.redis;

import dev.ferry.spi.Broker;
import dev.ferry.testing.WorkerContract;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worker runtime's promises on a 3-master Redis Cluster started by the test. */
class RedisClusterWorkerTest extends WorkerContract {
    private static final RedisCluster cluster = RedisCluster.shared();
    private String prefix;

    @RegisterExtension
    final AfterEachCallback cleanup = context -> {
        if (prefix != null) {
            RedisTestSupport.deleteClusterPrefix(cluster.seeds(), prefix);
        }
    };

    @Override
    protected Broker newBroker() {
        prefix = RedisTestSupport.newPrefix();
        return RedisBroker.builder(cluster.url()).keyPrefix(prefix).clientResources(RedisTestSupport.RESOURCES).build();
    }
}
