package dev.ferry;

import dev.ferry.spi.Broker;
import dev.ferry.spi.BrokerProvider;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Opens a broker from a URL, finding the backend module on the class or module path:
 * {@code sqlite:./ferry.db} (ferry-embedded), {@code redis://host:6379}, {@code postgresql://host/db}.
 */
public final class Brokers {
    /** The embedded default: a file {@code ferry.db} in the working directory. */
    public static final String DEFAULT_URL = "sqlite:./ferry.db";

    private Brokers() {
    }

    /** Opens the broker for {@code url}. */
    public static Broker open(String url) {
        return open(url, Map.of());
    }

    /** Opens the broker for {@code url} with backend options by name. */
    public static Broker open(String url, Map<String, String> options) {
        if (url == null || url.isBlank()) {
            throw new InvalidInputException("broker", "a broker URL is required, for example " + DEFAULT_URL);
        }
        int colon = url.indexOf(':');
        if (colon < 1) {
            throw new InvalidInputException("broker", "'" + url + "' is not a URL: expected scheme:..., for example " + DEFAULT_URL);
        }
        String scheme = url.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
        TreeSet<String> known = new TreeSet<>();
        for (BrokerProvider provider : ServiceLoader.load(BrokerProvider.class, Brokers.class.getClassLoader())) {
            if (provider.schemes().contains(scheme)) {
                try {
                    return provider.open(url, options);
                } catch (IllegalArgumentException e) {
                    // providers report a malformed URL or an unknown option this way: it is bad input
                    throw new InvalidInputException("broker", e.getMessage());
                }
            }
            known.addAll(provider.schemes());
        }
        throw new InvalidInputException("broker", "no backend for scheme '" + scheme + "' in '" + url
                + "'; available: " + (known.isEmpty() ? "none (add ferry-embedded, ferry-redis or ferry-postgres)" : known));
    }
}
