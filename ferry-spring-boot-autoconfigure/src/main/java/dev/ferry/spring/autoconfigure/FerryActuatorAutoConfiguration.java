package dev.ferry.spring.autoconfigure;

import dev.ferry.Ferry;
import dev.ferry.server.FerryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What Ferry adds when the application has it: a health indicator (Spring Boot's health module,
 * which actuator brings), Micrometer meters on the application's {@link MeterRegistry}, and Ferry's
 * own dashboard server. Meters and the dashboard live in {@code ferry-server}, so both need it on
 * the class path.
 */
@AutoConfiguration(after = FerryAutoConfiguration.class, afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"
})
@ConditionalOnBean(Ferry.class)
public class FerryActuatorAutoConfiguration {

    /** {@code /actuator/health/ferry}; off with {@code management.health.ferry.enabled=false}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("ferry")
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "ferryHealthIndicator")
        FerryHealthIndicator ferryHealthIndicator(Ferry ferry, ObjectProvider<FerryWorkerLifecycle> workers) {
            return new FerryHealthIndicator(ferry, workers.getIfAvailable());
        }
    }

    /**
     * Queue, task and worker meters on the application's registry; the worker reports its task
     * events to them (the meters are a {@code TaskListener} bean, which the worker picks up).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.ferry.server.FerryMetrics", "io.micrometer.core.instrument.MeterRegistry"})
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnProperty(name = "ferry.metrics.enabled", havingValue = "true", matchIfMissing = true)
    static class MetricsConfiguration {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        FerryMetrics ferryMetrics(Ferry ferry, MeterRegistry registry, FerryProperties properties) {
            FerryMetrics metrics = new FerryMetrics(ferry.inspector());
            metrics.bindTo(registry);
            return metrics.refreshEvery(properties.metrics().refreshInterval());
        }
    }

    /** Ferry's own HTTP API and dashboard on {@code ferry.server.port}, with {@code ferry.server.enabled=true}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.ferry.server.FerryServer")
    @ConditionalOnProperty(name = "ferry.server.enabled", havingValue = "true")
    static class ServerConfiguration {
        @Bean
        @ConditionalOnMissingBean
        FerryServerLifecycle ferryServer(Ferry ferry, FerryProperties properties, ObjectProvider<FerryMetrics> metrics) {
            return new FerryServerLifecycle(ferry, properties, metrics.getIfAvailable());
        }
    }
}
