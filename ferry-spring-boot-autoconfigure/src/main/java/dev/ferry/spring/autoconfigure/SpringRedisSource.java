package dev.ferry.spring.autoconfigure;

import dev.ferry.Brokers;
import dev.ferry.InvalidInputException;
import dev.ferry.spi.Broker;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

/**
 * {@code ferry.broker.url=redis}: Redis at the address of the application's own Redis settings
 * ({@code spring.data.redis.*}, or a service connection such as Testcontainers'), turned into a
 * Ferry Redis URL. Host, port, database, user, password, Sentinel and Cluster nodes carry over; with
 * TLS on, the JVM's default trust store is used (an SSL bundle's own trust material does not carry
 * over: give a {@code rediss://} URL and a trust store to the JVM then). Ferry opens connections of
 * its own, since blocking commands need dedicated ones.
 */
final class SpringRedisSource implements BrokerSource {
    private final ObjectProvider<DataRedisConnectionDetails> details;

    SpringRedisSource(ObjectProvider<DataRedisConnectionDetails> details) {
        this.details = details;
    }

    @Override
    public boolean supports(FerryProperties.Broker settings) {
        return settings.usesApplicationRedis();
    }

    @Override
    public Broker open(FerryProperties.Broker settings) {
        DataRedisConnectionDetails d = details.getIfAvailable();
        if (d == null) {
            throw new InvalidInputException("ferry.broker.url", "'redis' uses the application's Redis settings, but there are "
                    + "none: add spring-boot-starter-data-redis and spring.data.redis.*, or give a redis:// URL");
        }
        return Brokers.open(url(d), settings.options());
    }

    /** The Ferry URL for these connection details; the password is percent-encoded, never logged. */
    static String url(DataRedisConnectionDetails d) {
        boolean tls = d.getSslBundle() != null;
        String auth = credentials(d.getUsername(), d.getPassword());
        if (d.getCluster() != null) {
            return (tls ? "rediss-cluster://" : "redis-cluster://") + auth + nodes(d.getCluster().getNodes());
        }
        if (d.getSentinel() != null) {
            DataRedisConnectionDetails.Sentinel s = d.getSentinel();
            return (tls ? "rediss-sentinel://" : "redis-sentinel://") + auth + nodes(s.getNodes()) + "/" + s.getDatabase()
                    + "#" + s.getMaster();
        }
        if (d.getMasterReplica() != null) {
            throw new InvalidInputException("ferry.broker.url", "spring.data.redis.masterreplica is not supported by Ferry's "
                    + "Redis broker; give a redis:// or redis-sentinel:// URL");
        }
        DataRedisConnectionDetails.Standalone s = d.getStandalone();
        String host = s.getHost().contains(":") ? "[" + s.getHost() + "]" : s.getHost();
        return (tls ? "rediss://" : "redis://") + auth + host + ":" + s.getPort() + "/" + s.getDatabase();
    }

    private static String credentials(String user, String password) {
        if (password == null || password.isEmpty()) {
            return "";
        }
        return (user == null ? "" : encode(user)) + ":" + encode(password) + "@";
    }

    private static String nodes(List<DataRedisConnectionDetails.Node> nodes) {
        return nodes.stream().map(n -> (n.host().contains(":") ? "[" + n.host() + "]" : n.host()) + ":" + n.port())
                .collect(Collectors.joining(","));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
