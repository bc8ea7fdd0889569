package dev.ferry.redis;

import dev.ferry.spi.Broker;
import dev.ferry.testing.WorkflowContract;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workflows on a 3-master Redis Cluster started by the test: the contract's steps use several
 * queues, which live on different hash slots, and their records on others again.
 */
class RedisClusterWorkflowTest extends WorkflowContract {
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
