/**
 * Spring Boot auto-configuration for Ferry (see {@code docs/spring-boot.md}):
 * {@link dev.ferry.spring.autoconfigure.FerryAutoConfiguration} opens the broker named by
 * {@link dev.ferry.spring.autoconfigure.FerryProperties ferry.broker.url} and exposes {@code Ferry},
 * {@code Client} and {@code Inspector}; lifecycle beans run the worker, the cron scheduler and the
 * dashboard in Spring's shutdown order;
 * {@link dev.ferry.spring.autoconfigure.FerryActuatorAutoConfiguration} adds health and metrics.
 * Applications normally use only the properties and the annotations of {@code dev.ferry.spring}.
 */
package dev.ferry.spring.autoconfigure;
