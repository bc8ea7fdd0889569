package dev.ferry.redis;

import dev.ferry.spi.Broker;
import dev.ferry.testing.WorkflowContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workflows on a 3-master Redis Cluster started by the test: the contract's steps use several
 * queues, which live on different hash slots, and their records on others again.
 */
class RedisClusterWorkflowTest extends WorkflowContract {
    private static RedisCluster cluster;
    private String prefix;

    @RegisterExtension
    final AfterEachCallback cleanup = context -> {
        if (prefix != null) {
            RedisTestSupport.deleteClusterPrefix(cluster.seeds(), prefix);
        }
    };

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Broker newBroker() {
        prefix = RedisTestSupport.newPrefix();
        return RedisBroker.builder(cluster.url()).keyPrefix(prefix).clientResources(RedisTestSupport.RESOURCES).build();
    }
}
