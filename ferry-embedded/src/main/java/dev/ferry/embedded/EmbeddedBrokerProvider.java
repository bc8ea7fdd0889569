package dev.ferry.embedded;

import dev.ferry.spi.Broker;
import dev.ferry.spi.BrokerProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens an {@link EmbeddedBroker} from a {@code sqlite:} URL: {@code sqlite:./ferry.db},
 * {@code sqlite:/var/lib/app/ferry.db} (also {@code sqlite:///var/lib/app/ferry.db}).
 *
 * <p>Options: {@code synchronous} ({@code NORMAL} or {@code FULL}), {@code pollInterval} and
 * {@code busyTimeout} (ISO-8601 such as {@code PT0.2S}, or a number with a unit: {@code 200ms},
 * {@code 5s}, {@code 1m}). Any other option is refused.
 */
public final class EmbeddedBrokerProvider implements BrokerProvider {
    private static final String SCHEME = "sqlite";
    private static final Set<String> OPTIONS = new TreeSet<>(Set.of("synchronous", "pollInterval", "busyTimeout"));
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    /** Used by {@link java.util.ServiceLoader}. */
    public EmbeddedBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    @Override
    public Broker open(String url, Map<String, String> options) {
        return builder(url, options).build();
    }

    /**
     * The builder the URL and options describe, without opening anything.
     *
     * @throws IllegalArgumentException for a malformed URL, an unknown option or a bad value
     */
    static EmbeddedBroker.Builder builder(String url, Map<String, String> options) {
        EmbeddedBroker.Builder builder = EmbeddedBroker.builder(path(url));
        Map<String, String> opts = options == null ? Map.of() : options;
        for (Map.Entry<String, String> e : opts.entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            switch (key) {
                case "synchronous" -> builder.synchronous(synchronous(value));
                case "pollInterval" -> builder.pollInterval(duration(key, value));
                case "busyTimeout" -> builder.busyTimeout(duration(key, value));
                default -> throw new IllegalArgumentException("unknown option '" + key
                        + "' for the sqlite broker; known options: " + String.join(", ", OPTIONS));
            }
        }
        return builder;
    }

    static Path path(String url) {
        if (url == null || !url.regionMatches(true, 0, SCHEME + ":", 0, SCHEME.length() + 1)) {
            throw new IllegalArgumentException("not a sqlite URL: '" + url + "' (expected sqlite:./ferry.db)");
        }
        String path = url.substring(SCHEME.length() + 1);
        if (path.startsWith("//")) {
            path = path.substring(2); // sqlite:///abs/path.db, URI style
        }
        if (path.isBlank()) {
            throw new IllegalArgumentException("sqlite URL '" + url + "' names no file (expected sqlite:./ferry.db)");
        }
        if (path.startsWith(":memory:") || path.startsWith("file::memory:")) {
            throw new IllegalArgumentException("sqlite URL '" + url + "': in-memory databases are not supported;"
                    + " use the in-memory broker of ferry-testing instead");
        }
        if (path.indexOf('?') >= 0) {
            throw new IllegalArgumentException("sqlite URL '" + url + "': parameters in the URL are not supported;"
                    + " pass options (synchronous, pollInterval, busyTimeout) separately");
        }
        return Path.of(path);
    }

    private static EmbeddedBroker.Synchronous synchronous(String value) {
        try {
            return EmbeddedBroker.Synchronous.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option 'synchronous': expected NORMAL or FULL, got '" + value + "'", e);
        }
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
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("option '" + key + "': expected a duration such as 200ms, 5s or PT0.2S,"
                    + " got '" + value + "'", e);
        }
    }
}
