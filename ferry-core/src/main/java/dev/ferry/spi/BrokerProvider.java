package dev.ferry.spi;

import java.util.Map;

/**
 * Opens a {@link Broker} from a URL such as {@code sqlite:./ferry.db} or {@code redis://host:6379}.
 * Backend modules register one with {@link java.util.ServiceLoader} so a URL alone selects the
 * backend ({@code ferry --broker URL}).
 */
public interface BrokerProvider {

    /** URL schemes this provider opens, for example {@code sqlite}. */
    java.util.Set<String> schemes();

    /**
     * Opens a broker.
     *
     * @param url     the full URL
     * @param options extra settings by name (from the CLI or configuration); unknown names are an error
     */
    Broker open(String url, Map<String, String> options);
}
