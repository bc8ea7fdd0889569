package dev.ferry.redis.internal;

import io.lettuce.core.RedisURI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses broker URLs into an {@link Endpoint}:
 * <ul>
 *   <li>{@code redis://[user:password@]host[:port][/db]} and {@code rediss://...} (TLS);</li>
 *   <li>{@code redis-sentinel://[user:password@]host[:port][,host[:port]...][/db]#master}
 *       (and {@code rediss-sentinel://});</li>
 *   <li>{@code redis-cluster://[user:password@]host:port[,host:port...]} (and {@code rediss-cluster://}),
 *       the seed nodes of a Redis Cluster.</li>
 * </ul>
 * Passwords are never shown in messages.
 */
public final class Urls {
    public static final List<String> SCHEMES = List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel",
            "redis-cluster", "rediss-cluster");

    private Urls() {
    }

    /**
     * @throws IllegalArgumentException for a malformed URL, naming what is wrong
     */
    public static Endpoint parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("a Redis URL is required, for example redis://localhost:6379");
        }
        int sep = url.indexOf("://");
        String scheme = sep < 0 ? "" : url.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("'" + redact(url) + "' is not a Redis URL: expected one of "
                    + String.join("://, ", SCHEMES) + "://");
        }
        if (scheme.endsWith("-cluster")) {
            return cluster(url, scheme, url.substring(sep + 3));
        }
        if (url.indexOf('?') >= 0) {
            throw new IllegalArgumentException("Redis URL '" + redact(url) + "': query parameters are not supported;"
                    + " open it through RedisBrokerProvider (Brokers.open), which reads options from the query");
        }
        String rest = url.substring(sep + 3);
        String hostPart = rest.contains("@") ? rest.substring(rest.lastIndexOf('@') + 1) : rest;
        if (hostPart.isEmpty() || hostPart.startsWith("/") || hostPart.startsWith(":") || hostPart.startsWith("#")) {
            throw new IllegalArgumentException("Redis URL '" + redact(url) + "' names no host");
        }
        if (scheme.endsWith("-sentinel") && url.indexOf('#') < 0) {
            throw new IllegalArgumentException("Redis Sentinel URL '" + redact(url) + "' names no master: end it with"
                    + " #<master name>, for example redis-sentinel://sentinel:26379#mymaster");
        }
        String hosts = hostPart.split("[/#]", 2)[0];
        for (String node : hosts.split(",")) {
            int colon = node.lastIndexOf(':');
            if (colon >= 0 && !node.endsWith("]")) {
                String port = node.substring(colon + 1);
                if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                    throw new IllegalArgumentException("Redis URL '" + redact(url) + "': bad port '" + port + "' in '"
                            + node + "'");
                }
            }
        }
        try {
            RedisURI uri = RedisURI.create(url);
            return new Endpoint(List.of(uri), false, redact(url));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed Redis URL '" + redact(url) + "': " + e.getMessage(), e);
        }
    }

    private static Endpoint cluster(String url, String scheme, String rest) {
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new IllegalArgumentException("Redis Cluster URL '" + redact(url) + "': query parameters and fragments"
                    + " are not supported");
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            if (colon >= 0) {
                user = decode(info.substring(0, colon));
                password = decode(info.substring(colon + 1));
            } else {
                password = decode(info);
            }
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.contains("/")) {
            throw new IllegalArgumentException("Redis Cluster URL '" + redact(url) + "': a cluster has no database"
                    + " number; remove the /path");
        }
        boolean tls = scheme.startsWith("rediss");
        List<RedisURI> seeds = new ArrayList<>();
        for (String node : rest.split(",")) {
            node = node.trim();
            int colon = node.lastIndexOf(':');
            if (node.isEmpty() || colon <= 0 || colon == node.length() - 1) {
                throw new IllegalArgumentException("Redis Cluster URL '" + redact(url) + "': expected host:port"
                        + " for every seed node, got '" + node + "'");
            }
            int port;
            try {
                port = Integer.parseInt(node.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Redis Cluster URL '" + redact(url) + "': bad port in '" + node + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("Redis Cluster URL '" + redact(url) + "': port out of range in '"
                        + node + "'");
            }
            String host = node.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            RedisURI.Builder b = RedisURI.builder().withHost(host).withPort(port).withSsl(tls);
            if (password != null) {
                if (user != null && !user.isEmpty()) {
                    b.withAuthentication(user, password);
                } else {
                    b.withPassword(password.toCharArray());
                }
            }
            seeds.add(b.build());
        }
        return new Endpoint(seeds, true, redact(url));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced by {@code ***}. */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        int sep = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (sep < 0 || at < sep) {
            return url;
        }
        String info = url.substring(sep + 3, at);
        int colon = info.indexOf(':');
        String shown = colon >= 0 ? info.substring(0, colon) + ":***" : "***";
        return url.substring(0, sep + 3) + shown + url.substring(at);
    }
}
