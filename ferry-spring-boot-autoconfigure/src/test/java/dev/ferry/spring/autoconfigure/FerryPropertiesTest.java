package dev.ferry.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.Inspector;
import dev.ferry.InvalidInputException;
import dev.ferry.RetryPolicy;
import dev.ferry.TaskDefaults;
import dev.ferry.spring.TaskHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binding of {@code ferry.*}, and the errors bad values give: each names the property to fix. */
class FerryPropertiesTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FerryAutoConfiguration.class))
                .withPropertyValues("ferry.broker.url=sqlite:" + dir.resolve("ferry.db"));
    }

    @Test
    void defaultsMatchTheCore() {
        runner().run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(Ferry.class).hasSingleBean(Client.class).hasSingleBean(Inspector.class);
            FerryProperties p = ctx.getBean(FerryProperties.class);
            assertThat(p.defaults().toTaskDefaults()).isEqualTo(TaskDefaults.standard());
            assertThat(p.retry().toPolicy()).isEqualTo(RetryPolicy.exponential());
            assertThat(p.worker().enabled()).isTrue();
            assertThat(p.worker().concurrency()).isEqualTo(10);
            assertThat(p.worker().shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
            assertThat(p.server().enabled()).isFalse();
            assertThat(p.metrics().enabled()).isTrue();
            // no handler methods: no worker is started
            assertThat(ctx.getBean(FerryWorkerLifecycle.class).worker()).isNull();
        });
    }

    @Test
    void bindsEverySection() {
        runner().withPropertyValues(
                "ferry.broker.options.busyTimeout=5s",
                "ferry.defaults.queue=critical",
                "ferry.defaults.priority=10",
                "ferry.defaults.max-attempts=7",
                "ferry.defaults.timeout=2m",
                "ferry.defaults.max-payload-size=64KB",
                "ferry.retry.base=2s",
                "ferry.retry.factor=3",
                "ferry.retry.cap=10m",
                "ferry.retry.jitter=0",
                "ferry.worker.queues.critical=6",
                "ferry.worker.queues.default=3",
                "ferry.worker.queues.low=1",
                "ferry.worker.concurrency=32",
                "ferry.worker.lease=1m",
                "ferry.worker.shutdown-grace=5s",
                "ferry.scheduler.group=billing",
                "ferry.server.port=0").run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    FerryProperties p = ctx.getBean(FerryProperties.class);
                    assertThat(p.broker().options()).containsEntry("busyTimeout", "5s");
                    assertThat(ctx.getBean(Ferry.class).defaults()).isEqualTo(new TaskDefaults("critical", 10, 7,
                            Duration.ofMinutes(2), Duration.ofHours(24), Duration.ofDays(7), 64 * 1024));
                    assertThat(p.retry().toPolicy()).isEqualTo(RetryPolicy.exponential(Duration.ofSeconds(2), 3,
                            Duration.ofMinutes(10), 0));
                    assertThat(p.worker().queues()).containsExactly(Map.entry("critical", 6), Map.entry("default", 3),
                            Map.entry("low", 1));
                    assertThat(p.worker().selection().isStrict()).isFalse();
                    assertThat(p.worker().concurrency()).isEqualTo(32);
                    assertThat(p.worker().lease()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(p.scheduler().group()).isEqualTo("billing");
                    assertThat(p.server().port()).isZero();
                });
    }

    @Test
    void strictQueueOrderKeepsTheListedOrder() {
        runner().withPropertyValues("ferry.worker.queues.critical=1", "ferry.worker.queues.default=1",
                "ferry.worker.strict=true").run(ctx -> {
                    var selection = ctx.getBean(FerryProperties.class).worker().selection();
                    assertThat(selection.isStrict()).isTrue();
                    assertThat(selection.queues()).containsExactly("critical", "default");
                });
    }

    /** Values the core refuses: the error is an InvalidInputException whose field is the property. */
    @ParameterizedTest
    @CsvSource({
        "ferry.worker.concurrency=0,            ferry.worker.concurrency",
        "ferry.worker.prefetch=-1,              ferry.worker.prefetch",
        "ferry.worker.lease=100ms,              ferry.worker.lease",
        "ferry.worker.shutdown-grace=-1s,       ferry.worker.shutdown-grace",
        "ferry.worker.queues.critical=0,        ferry.worker.queues",
        "ferry.worker.queues[bad/queue]=1,       ferry.worker.queues",
        "ferry.defaults.max-attempts=0,         ferry.defaults.max-attempts",
        "ferry.defaults.priority=101,           ferry.defaults.priority",
        "ferry.defaults.queue=no spaces,        ferry.defaults.queue",
        "ferry.defaults.max-payload-size=0B,    ferry.defaults.max-payload-size",
        "ferry.retry.jitter=2,                  ferry.retry.jitter",
        "ferry.retry.factor=0.5,                ferry.retry.factor",
        "ferry.scheduler.tick-interval=2h,      ferry.scheduler.tick-interval",
        "ferry.server.port=70000,               ferry.server.port",
        "ferry.metrics.refresh-interval=0s,     ferry.metrics.refresh-interval",
        "ferry.broker.url=nosuch:thing,         ferry.broker.url",
        "ferry.broker.url=postgresql,           ferry.broker.url",
        "ferry.broker.options.nosuch=1,         ferry.broker.options",
    })
    void refusedValuesNameTheProperty(String setting, String property) {
        runner().withPropertyValues(setting).run(ctx -> {
            assertThat(ctx).hasFailed();
            InvalidInputException e = find(ctx.getStartupFailure(), InvalidInputException.class);
            assertThat(e).as("InvalidInputException in %s", ctx.getStartupFailure()).isNotNull();
            assertThat(e.field()).isEqualTo(property);
            assertThat(e.getMessage()).startsWith(property + ": ");
            FailureAnalysis analysis = new FerryFailureAnalyzer().analyze(ctx.getStartupFailure());
            assertThat(analysis.getDescription()).contains(property);
            assertThat(analysis.getAction()).contains("'" + property + "'");
        });
    }

    /** Values that do not convert at all: Spring's binder names the property. */
    @ParameterizedTest
    @CsvSource({
        "ferry.worker.concurrency=many,     ferry.worker.concurrency",
        "ferry.worker.lease=soon,           ferry.worker.lease",
        "ferry.defaults.max-payload-size=big, ferry.defaults.max-payload-size",
        "ferry.worker.enabled=perhaps,      ferry.worker.enabled",
    })
    void unconvertibleValuesNameTheProperty(String setting, String property) {
        runner().withPropertyValues(setting).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining(property);
        });
    }

    static class BadHandler {
        @TaskHandler("bad")
        String handle(String a, String b) {
            return a + b;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BadHandlerConfig {
        @Bean
        BadHandler badHandler() {
            return new BadHandler();
        }
    }

    @Test
    void aHandlerWithAWrongSignatureFailsTheStartNamingTheMethod() {
        runner().withUserConfiguration(BadHandlerConfig.class).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("BadHandler.handle")
                    .hasStackTraceContaining("TaskContext");
        });
    }

    static class TwoHandlers {
        @TaskHandler("same")
        String one(Map<String, Object> payload) {
            return "one";
        }

        @TaskHandler("same")
        String two(List<Object> payload) {
            return "two";
        }
    }

    @Test
    void twoHandlersForOneTypeFailTheStartNamingBoth() {
        runner().withBean(TwoHandlers.class).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("two handlers for task type 'same'")
                    .hasStackTraceContaining("TwoHandlers.one").hasStackTraceContaining("TwoHandlers.two");
        });
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
