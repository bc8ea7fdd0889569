package dev.ferry.spring.autoconfigure;

import dev.ferry.Brokers;
import dev.ferry.Client;
import dev.ferry.EnqueueInterceptor;
import dev.ferry.Ferry;
import dev.ferry.Inspector;
import dev.ferry.InvalidInputException;
import dev.ferry.JsonCodec;
import dev.ferry.TaskListener;
import dev.ferry.TaskMiddleware;
import dev.ferry.spi.Broker;
import dev.ferry.spring.FerrySchedulerCustomizer;
import dev.ferry.spring.FerryWorkerCustomizer;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Ferry in a Spring Boot application: a {@link Ferry} on the broker {@code ferry.broker.url}
 * names, its {@link Client} and {@link Inspector} as beans, a worker running the
 * {@code @TaskHandler} methods and a cron scheduler for the {@code @CronTask} methods, both started
 * and stopped in Spring's lifecycle. Health, metrics and the dashboard are in
 * {@link FerryActuatorAutoConfiguration}.
 *
 * <p>Every bean here backs off when the application defines its own of the same type: a
 * {@link Broker} bean (for example ferry-testing's {@code InMemoryBroker} in tests), a
 * {@link JsonCodec}, a {@link Ferry}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"
})
@ConditionalOnClass(Ferry.class)
@EnableConfigurationProperties(FerryProperties.class)
public class FerryAutoConfiguration {
    private static final Log LOG = LogFactory.getLog(FerryAutoConfiguration.class);

    /** Finds the handler methods; static, as a bean post-processor must be, so it sees every bean. */
    @Bean
    static HandlerMethods ferryHandlerMethods() {
        return new HandlerMethods();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Broker ferryBroker(FerryProperties properties, ObjectProvider<BrokerSource> sources) {
        FerryProperties.Broker settings = properties.broker();
        for (BrokerSource source : sources.orderedStream().toList()) {
            if (source.supports(settings)) {
                return source.open(settings);
            }
        }
        if (settings.usesApplicationDataSource() || settings.usesApplicationRedis()) {
            throw new InvalidInputException("ferry.broker.url", "'" + settings.url() + "' needs "
                    + (settings.usesApplicationRedis() ? "ferry-redis and spring-boot-starter-data-redis"
                            : "ferry-postgres and a DataSource (spring-boot-starter-jdbc)") + " on the class path");
        }
        try {
            return Brokers.open(settings.url(), settings.options());
        } catch (InvalidInputException e) {
            String problem = e.getMessage().startsWith(e.field() + ": ") ? e.getMessage().substring(e.field().length() + 2) : e.getMessage();
            throw new InvalidInputException(problem.contains("option") ? "ferry.broker.options" : "ferry.broker.url", problem);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    JsonCodec ferryJsonCodec() {
        return JsonCodec.jackson();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Ferry ferry(Broker broker, JsonCodec codec, FerryProperties properties, ObjectProvider<EnqueueInterceptor> interceptors) {
        Ferry.Builder builder = Ferry.builder().broker(broker).codec(codec).defaults(properties.defaults().toTaskDefaults());
        interceptors.orderedStream().forEach(builder::enqueueInterceptor);
        Ferry ferry = builder.build();
        LOG.info("Ferry on " + broker.capabilities().name() + " broker");
        return ferry;
    }

    /** On PostgreSQL with the application's DataSource, a client whose enqueues join Spring transactions. */
    @Bean
    @ConditionalOnMissingBean
    Client ferryClient(Ferry ferry, FerryProperties properties, ObjectProvider<BrokerSource> sources,
            ObjectProvider<EnqueueInterceptor> interceptors) {
        for (BrokerSource source : sources.orderedStream().toList()) {
            if (source.supports(properties.broker())) {
                return source.client(ferry, interceptors.orderedStream().toList());
            }
        }
        return ferry.client();
    }

    @Bean
    @ConditionalOnMissingBean
    Inspector ferryInspector(Ferry ferry) {
        return ferry.inspector();
    }

    @Bean
    @ConditionalOnMissingBean
    FerryWorkerLifecycle ferryWorker(Ferry ferry, FerryProperties properties, HandlerMethods handlers,
            ObjectProvider<FerryWorkerCustomizer> customizers, ObjectProvider<TaskListener> listeners,
            ObjectProvider<TaskMiddleware> middleware, Environment env) {
        warnIfGraceOutlivesPhase(properties, env);
        return new FerryWorkerLifecycle(ferry, properties, handlers, customizers.orderedStream().toList(),
                listeners.orderedStream().toList(), middleware.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean
    FerrySchedulerLifecycle ferryScheduler(Ferry ferry, FerryProperties properties, HandlerMethods handlers,
            ObjectProvider<FerrySchedulerCustomizer> customizers) {
        return new FerrySchedulerLifecycle(ferry, properties, handlers, customizers.orderedStream().toList());
    }

    private static void warnIfGraceOutlivesPhase(FerryProperties properties, Environment env) {
        Duration phase = env.getProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class, Duration.ofSeconds(30));
        if (properties.worker().enabled() && properties.worker().shutdownGrace().compareTo(phase) >= 0) {
            LOG.warn("ferry.worker.shutdown-grace (" + properties.worker().shutdownGrace() + ") is not below "
                    + "spring.lifecycle.timeout-per-shutdown-phase (" + phase + "): Spring stops waiting for the worker's "
                    + "drain before it ends; raise the phase timeout");
        }
    }

    /**
     * The application's OpenTelemetry ({@code ferry-opentelemetry} on the class path and an
     * {@code OpenTelemetry} bean, as {@code spring-boot-starter-opentelemetry} makes): trace context
     * travels from the enqueueing code to the handler. Off with {@code ferry.tracing.enabled=false}.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.ferry.opentelemetry.FerryTracing", "io.opentelemetry.api.OpenTelemetry"})
    @ConditionalOnProperty(name = "ferry.tracing.enabled", havingValue = "true", matchIfMissing = true)
    static class TracingConfiguration {
        @Bean
        FerryTracingSupport ferryTracing(ObjectProvider<io.opentelemetry.api.OpenTelemetry> openTelemetry,
                FerryProperties properties) {
            return new FerryTracingSupport(openTelemetry.getIfUnique(), properties.defaults().queue());
        }
    }

    /** PostgreSQL on the application's DataSource ({@code ferry.broker.url=postgresql}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.ferry.postgres.PostgresBroker", "org.springframework.jdbc.datasource.DataSourceUtils"})
    static class PostgresDataSourceConfiguration {
        @Bean
        BrokerSource ferryPostgresDataSourceSource(ObjectProvider<DataSource> dataSources) {
            return new PostgresDataSourceSource(dataSources);
        }
    }

    /** Redis with the application's {@code spring.data.redis.*} settings ({@code ferry.broker.url=redis}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.ferry.redis.RedisBroker",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails"})
    static class SpringRedisConfiguration {
        @Bean
        BrokerSource ferrySpringRedisSource(ObjectProvider<DataRedisConnectionDetails> details) {
            return new SpringRedisSource(details);
        }
    }
}
