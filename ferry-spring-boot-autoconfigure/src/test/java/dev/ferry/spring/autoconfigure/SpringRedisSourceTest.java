package dev.ferry.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails.Node;

/** How the application's Redis connection details become a Ferry Redis URL. */
class SpringRedisSourceTest {

    @Test
    void standaloneWithDatabaseAndEncodedCredentials() {
        DataRedisConnectionDetails d = new DataRedisConnectionDetails() {
            @Override
            public String getUsername() {
                return "app";
            }

            @Override
            public String getPassword() {
                return "p@ss:w/rd";
            }

            @Override
            public Standalone getStandalone() {
                return Standalone.of("cache.internal", 6380, 2);
            }
        };
        assertThat(SpringRedisSource.url(d)).isEqualTo("redis://app:p%40ss%3Aw%2Frd@cache.internal:6380/2");
    }

    @Test
    void passwordOnlyAndNoCredentials() {
        DataRedisConnectionDetails passwordOnly = new DataRedisConnectionDetails() {
            @Override
            public String getPassword() {
                return "secret";
            }

            @Override
            public Standalone getStandalone() {
                return Standalone.of("127.0.0.1", 6379);
            }
        };
        assertThat(SpringRedisSource.url(passwordOnly)).isEqualTo("redis://:secret@127.0.0.1:6379/0");
        DataRedisConnectionDetails none = new DataRedisConnectionDetails() {
            @Override
            public Standalone getStandalone() {
                return Standalone.of("::1", 6379);
            }
        };
        assertThat(SpringRedisSource.url(none)).isEqualTo("redis://[::1]:6379/0");
    }

    @Test
    void sentinelAndCluster() {
        DataRedisConnectionDetails sentinel = new DataRedisConnectionDetails() {
            @Override
            public Sentinel getSentinel() {
                return new Sentinel() {
                    @Override
                    public int getDatabase() {
                        return 1;
                    }

                    @Override
                    public String getMaster() {
                        return "mymaster";
                    }

                    @Override
                    public List<Node> getNodes() {
                        return List.of(new Node("s1", 26379), new Node("s2", 26379));
                    }

                    @Override
                    public String getUsername() {
                        return null;
                    }

                    @Override
                    public String getPassword() {
                        return null;
                    }
                };
            }
        };
        assertThat(SpringRedisSource.url(sentinel)).isEqualTo("redis-sentinel://s1:26379,s2:26379/1#mymaster");
        DataRedisConnectionDetails cluster = new DataRedisConnectionDetails() {
            @Override
            public Cluster getCluster() {
                return () -> List.of(new Node("10.0.0.1", 7000), new Node("10.0.0.2", 7000));
            }
        };
        assertThat(SpringRedisSource.url(cluster)).isEqualTo("redis-cluster://10.0.0.1:7000,10.0.0.2:7000");
    }

    @Test
    void masterReplicaIsRefusedNamingTheProperty() {
        DataRedisConnectionDetails d = new DataRedisConnectionDetails() {
            @Override
            public MasterReplica getMasterReplica() {
                return () -> List.of(new Node("a", 6379));
            }
        };
        assertThatThrownBy(() -> SpringRedisSource.url(d)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("ferry.broker.url: ");
    }
}
