package dev.ferry.postgres;

import dev.ferry.spi.Broker;
import dev.ferry.spi.BrokerProvider;
import java.util.Map;
import java.util.Set;

/**
 * Opens a {@link PostgresBroker} from a {@code postgresql://} or {@code postgres://} URL, so
 * {@code Ferry.open(url)} and {@code ferry --broker postgresql://user@host/db} find this backend:
 * {@code postgresql://user:password@host:5432/database?schema=ferry&notify=false}.
 *
 * <p>Options (as URL parameters or by name): {@code schema}, {@code migrate}, {@code notify},
 * {@code maxConnections}, {@code connectTimeout}; any other URL parameter must be a pgjdbc
 * connection property. Unknown options are refused.
 */
public final class PostgresBrokerProvider implements BrokerProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public PostgresBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("postgresql", "postgres");
    }

    /**
     * @throws IllegalArgumentException for a malformed URL, an unknown option or a bad value
     * @throws dev.ferry.BrokerException when the database cannot be reached or prepared
     */
    @Override
    public Broker open(String url, Map<String, String> options) {
        return builder(url, options).build();
    }

    /** The builder the URL and options describe, without connecting. */
    static PostgresBroker.Builder builder(String url, Map<String, String> options) {
        PostgresBroker.Builder builder = PostgresBroker.builder().url(url);
        if (options != null) {
            options.forEach(builder::option);
        }
        return builder;
    }
}
