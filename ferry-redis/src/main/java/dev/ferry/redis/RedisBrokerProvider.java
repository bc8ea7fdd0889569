package dev.ferry.redis;

import dev.ferry.redis.internal.Urls;
import dev.ferry.spi.Broker;
import dev.ferry.spi.BrokerProvider;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a {@link RedisBroker} from a URL: {@code redis://}, {@code rediss://} (TLS),
 * {@code redis-sentinel://} and {@code rediss-sentinel://} ({@code ...#master}),
 * {@code redis-cluster://host:port,host:port} and {@code rediss-cluster://}.
 *
 * <p>Options: {@code keyPrefix}, {@code allowEviction} ({@code true}/{@code false}),
 * {@code commandTimeout} and {@code startupTimeout} (a number with a unit — {@code 500ms},
 * {@code 5s}, {@code 1m} — or ISO-8601 such as {@code PT5S}), {@code caCertificate} (a PEM file of
 * CA certificates to trust for {@code rediss://}). Any other option is refused.
 */
public final class RedisBrokerProvider implements BrokerProvider {
    private static final Set<String> OPTIONS = new TreeSet<>(Set.of("keyPrefix", "allowEviction", "commandTimeout",
            "startupTimeout", "caCertificate"));
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    /** Used by {@link java.util.ServiceLoader}. */
    public RedisBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return new LinkedHashSet<>(Urls.SCHEMES);
    }

    @Override
    public Broker open(String url, Map<String, String> options) {
        return builder(url, options).build();
    }

    /**
     * The builder the URL and options describe, without connecting.
     *
     * @throws IllegalArgumentException for a malformed URL, an unknown option or a bad value
     */
    public static RedisBroker.Builder builder(String url, Map<String, String> options) {
        // Options may also ride in the URL's query (redis://host:6379?keyPrefix=billing), where a
        // --broker URL is all a tool passes; explicit options win over the query.
        Map<String, String> opts = new java.util.LinkedHashMap<>();
        String base = url;
        int q = url == null ? -1 : url.indexOf('?');
        if (q >= 0) {
            base = url.substring(0, q);
            for (String pair : url.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("Redis URL query: expected name=value, got '" + pair + "'");
                }
                opts.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        if (options != null) {
            opts.putAll(options);
        }
        RedisBroker.Builder builder = RedisBroker.builder(base);
        for (Map.Entry<String, String> e : opts.entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            switch (key) {
                case "keyPrefix" -> {
                    try {
                        new dev.ferry.redis.internal.Keys(value);
                    } catch (IllegalArgumentException bad) {
                        throw new IllegalArgumentException("option 'keyPrefix': " + bad.getMessage(), bad);
                    }
                    builder.keyPrefix(value);
                }
                case "allowEviction" -> builder.allowEviction(bool(key, value));
                case "commandTimeout" -> builder.commandTimeout(positive(key, duration(key, value)));
                case "startupTimeout" -> builder.startupTimeout(duration(key, value));
                case "caCertificate" -> builder.caCertificate(java.nio.file.Path.of(value));
                default -> throw new IllegalArgumentException("unknown option '" + key
                        + "' for the redis broker; known options: " + String.join(", ", OPTIONS));
            }
        }
        return builder;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("option '" + key + "': expected true or false, got '" + value + "'");
        };
    }

    private static Duration positive(String key, Duration d) {
        if (!d.isPositive()) {
            throw new IllegalArgumentException("option '" + key + "': must be positive, got '" + d + "'");
        }
        return d;
    }

    static Duration duration(String key, String value) {
        Matcher m = SIMPLE_DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            Duration d = Duration.parse(value);
            if (d.isNegative()) {
                throw new IllegalArgumentException("option '" + key + "': must not be negative, got '" + value + "'");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("option '" + key + "': expected a duration such as 500ms, 5s or PT5S,"
                    + " got '" + value + "'", e);
        }
    }
}
