package dev.ferry.spring.autoconfigure;

import dev.ferry.Client;
import dev.ferry.EnqueueInterceptor;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.postgres.PostgresBroker;
import dev.ferry.spi.Broker;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;

/** {@code ferry.broker.url=postgresql}: PostgreSQL on the application's DataSource, enqueues joining its transactions. */
final class PostgresDataSourceSource implements BrokerSource {
    private final ObjectProvider<DataSource> dataSources;

    PostgresDataSourceSource(ObjectProvider<DataSource> dataSources) {
        this.dataSources = dataSources;
    }

    @Override
    public boolean supports(FerryProperties.Broker settings) {
        return settings.usesApplicationDataSource();
    }

    @Override
    public Broker open(FerryProperties.Broker settings) {
        PostgresBroker.Builder builder = PostgresBroker.builder().dataSource(dataSource());
        for (Map.Entry<String, String> e : settings.options().entrySet()) {
            try {
                builder.option(e.getKey(), e.getValue());
            } catch (IllegalArgumentException bad) {
                throw new InvalidInputException("ferry.broker.options." + e.getKey(), bad.getMessage());
            }
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException bad) {
            throw new InvalidInputException("ferry.broker.options", bad.getMessage());
        }
    }

    @Override
    public Client client(Ferry ferry, List<EnqueueInterceptor> interceptors) {
        return new SpringTransactionalClient(ferry, dataSource(), interceptors);
    }

    private DataSource dataSource() {
        DataSource ds = dataSources.getIfUnique();
        if (ds == null) {
            throw new InvalidInputException("ferry.broker.url", "'postgresql' uses the application's DataSource, but there is "
                    + (dataSources.stream().findAny().isPresent() ? "more than one and none is @Primary" : "none")
                    + "; configure spring.datasource.* (or set ferry.broker.url to a postgresql:// URL)");
        }
        return ds;
    }
}
