package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Brokers;
import dev.ferry.InvalidInputException;
import dev.ferry.redis.internal.Endpoint;
import dev.ferry.redis.internal.Urls;
import dev.ferry.spi.Broker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URLs and options: what is accepted, and clear errors naming the problem for what is not. */
class RedisBrokerProviderTest {

    @Test
    void standaloneTlsAndAclUrlsParse() {
        Endpoint plain = Urls.parse("redis://127.0.0.1:6379");
        assertThat(plain.cluster()).isFalse();
        assertThat(plain.uris().get(0).getPort()).isEqualTo(6379);

        Endpoint tls = Urls.parse("rediss://app:s3cret@redis.internal:6380/2");
        assertThat(tls.uris().get(0).isSsl()).isTrue();
        assertThat(credentials(tls.uris().get(0)).getUsername()).isEqualTo("app");
        assertThat(new String(credentials(tls.uris().get(0)).getPassword())).isEqualTo("s3cret");
        assertThat(tls.uris().get(0).getDatabase()).isEqualTo(2);
        assertThat(tls.display()).doesNotContain("s3cret").contains("app:***@redis.internal:6380");
    }

    private static io.lettuce.core.RedisCredentials credentials(io.lettuce.core.RedisURI uri) {
        return uri.getCredentialsProvider().resolveCredentials().block();
    }

    @Test
    void sentinelUrlsNameTheirMaster() {
        Endpoint s = Urls.parse("redis-sentinel://s1:26379,s2:26380#mymaster");
        assertThat(s.cluster()).isFalse();
        assertThat(s.uris().get(0).getSentinelMasterId()).isEqualTo("mymaster");
        assertThat(s.uris().get(0).getSentinels()).hasSize(2);

        assertThatThrownBy(() -> Urls.parse("redis-sentinel://s1:26379"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no master");
    }

    @Test
    void clusterUrlsListTheirSeedNodesWithCredentials() {
        Endpoint c = Urls.parse("rediss-cluster://ops:pw@10.0.0.1:7000,10.0.0.2:7001");
        assertThat(c.cluster()).isTrue();
        assertThat(c.uris()).hasSize(2);
        assertThat(c.uris()).allSatisfy(u -> {
            assertThat(u.isSsl()).isTrue();
            assertThat(credentials(u).getUsername()).isEqualTo("ops");
            assertThat(new String(credentials(u).getPassword())).isEqualTo("pw");
        });
        assertThat(c.uris().get(1).getPort()).isEqualTo(7001);
        assertThat(c.display()).doesNotContain("pw@").contains("ops:***@");
    }

    @Test
    void malformedUrlsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Urls.parse("http://x")).hasMessageContaining("is not a Redis URL");
        assertThatThrownBy(() -> Urls.parse("redis://")).hasMessageContaining("names no host");
        assertThatThrownBy(() -> Urls.parse("redis://h:6379?timeout=5s")).hasMessageContaining("query parameters");
        assertThatThrownBy(() -> Urls.parse("redis-cluster://h1:7000,h2")).hasMessageContaining("expected host:port");
        assertThatThrownBy(() -> Urls.parse("redis-cluster://h1:99999")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Urls.parse("redis-cluster://h1:7000/3")).hasMessageContaining("no database");
        assertThatThrownBy(() -> Urls.parse("rediss://user:topsecret@h:notaport"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
    }

    @Test
    void unknownOptionsAndBadValuesAreRefusedByName() {
        assertThatThrownBy(() -> RedisBrokerProvider.builder("redis://h:6379", Map.of("prefix", "x")))
                .hasMessageContaining("unknown option 'prefix'").hasMessageContaining("keyPrefix");
        assertThatThrownBy(() -> RedisBrokerProvider.builder("redis://h:6379", Map.of("allowEviction", "yes")))
                .hasMessageContaining("option 'allowEviction': expected true or false");
        assertThatThrownBy(() -> RedisBrokerProvider.builder("redis://h:6379", Map.of("commandTimeout", "soon")))
                .hasMessageContaining("option 'commandTimeout'");
        assertThatThrownBy(() -> RedisBrokerProvider.builder("redis://h:6379", Map.of("commandTimeout", "0s")))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> RedisBrokerProvider.builder("redis://h:6379", Map.of("keyPrefix", "a{b}")))
                .hasMessageContaining("option 'keyPrefix'");
        assertThatThrownBy(() -> RedisBrokerProvider.builder("redis://h:6379?prefix=x", Map.of()))
                .hasMessageContaining("unknown option 'prefix'");
        assertThatThrownBy(() -> RedisBrokerProvider.builder("redis://h:6379?keyPrefix", Map.of()))
                .hasMessageContaining("expected name=value");
        assertThat(RedisBrokerProvider.duration("startupTimeout", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(RedisBrokerProvider.duration("startupTimeout", "PT2S")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void brokersOpenFindsTheProviderForEveryScheme() {
        assertThat(new RedisBrokerProvider().schemes()).contains("redis", "rediss", "redis-sentinel",
                "rediss-sentinel", "redis-cluster", "rediss-cluster");
        assertThatThrownBy(() -> Brokers.open("redis://h:6379", Map.of("nope", "1")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown option 'nope'");

        RedisTestSupport.requireRedis();
        String prefix = RedisTestSupport.newPrefix();
        try (Broker b = Brokers.open(RedisTestSupport.URL + "?keyPrefix=" + prefix + "&startupTimeout=2s")) {
            assertThat(b).isInstanceOf(RedisBroker.class);
            assertThat(b.capabilities().name()).isEqualTo("redis");
            assertThat(b.capabilities().pushWakeup()).isTrue();
            assertThat(b.capabilities().multiProcess()).isTrue();
            assertThat(((RedisBroker) b).readyKey("emails")).isEqualTo(prefix + ":{emails}:ready");
        } finally {
            RedisTestSupport.deletePrefix(RedisTestSupport.URL, prefix);
        }
    }
}
