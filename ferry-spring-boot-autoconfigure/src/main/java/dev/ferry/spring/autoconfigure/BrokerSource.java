package dev.ferry.spring.autoconfigure;

import dev.ferry.Client;
import dev.ferry.EnqueueInterceptor;
import dev.ferry.Ferry;
import dev.ferry.spi.Broker;
import java.util.List;

/**
 * Opens the broker from something the application already has (its DataSource, its Redis
 * settings) when {@code ferry.broker.url} is one of the bare words that ask for it.
 */
interface BrokerSource {

    /** True when this source opens the broker for these settings. */
    boolean supports(FerryProperties.Broker settings);

    /** Opens the broker. */
    Broker open(FerryProperties.Broker settings);

    /** The {@link Client} applications inject; {@code interceptors} are the ones {@code ferry} was built with. */
    default Client client(Ferry ferry, List<EnqueueInterceptor> interceptors) {
        return ferry.client();
    }
}
