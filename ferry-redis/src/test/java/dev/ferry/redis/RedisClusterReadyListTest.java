package dev.ferry.redis;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;

/**
 * The ready-list checks of {@link RedisReadyListTest} on a 3-master Redis Cluster the test starts,
 * where enqueue runs in two steps (reserve on the global slot, store on the queue's) and the two
 * queues of the mix live on different slots.
 */
class RedisClusterReadyListTest extends RedisReadyListTest {
    private static final RedisCluster cluster = RedisCluster.shared();
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<String, String> connection;

    @Override
    protected RedisBroker newBroker() {
        return RedisBroker.builder(cluster.url()).keyPrefix(prefix).clock(clock).clientResources(RedisTestSupport.RESOURCES)
                .build();
    }

    @Override
    protected RedisClusterCommands<String, String> redis() {
        if (connection == null) {
            client = RedisClusterClient.create(RedisTestSupport.RESOURCES, cluster.seeds());
            connection = client.connect();
        }
        return connection.sync();
    }

    @Override
    protected void closeRedis() {
        if (connection != null) {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ZERO);
        }
        RedisTestSupport.deleteClusterPrefix(cluster.seeds(), prefix);
    }
}
