package dev.ferry.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Client;
import dev.ferry.CronScheduler;
import dev.ferry.Inspector;
import dev.ferry.Task;
import dev.ferry.TaskContext;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.server.FerryMetrics;
import dev.ferry.spring.CronTask;
import dev.ferry.spring.autoconfigure.Greetings.Greet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Health, Micrometer meters, the dashboard server and {@code @CronTask} methods, on the embedded broker. */
class ActuatorAndCronTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FerryAutoConfiguration.class, FerryActuatorAutoConfiguration.class))
                .withPropertyValues("ferry.broker.url=sqlite:" + dir.resolve("ferry.db"))
                .withBean(Greetings.Handlers.class);
    }

    @Test
    void healthReportsBackendWorkerAndDeadSet() {
        runner().run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(FerryHealthIndicator.class);
            Inspector inspector = ctx.getBean(Inspector.class);
            String id = ctx.getBean(Client.class).enqueue(Task.of("greet", new Greet("h")).maxAttempts(1)).id();
            // a payload that cannot bind to the handler's record goes straight to the dead set
            ctx.getBean(Client.class).enqueue(Task.ofJson("greet", "[1,2]"));
            await().atMost(Duration.ofSeconds(30)).until(() -> inspector.queue("default").count(TaskState.DEAD) == 1
                    && inspector.task(id).map(TaskInfo::state).orElse(null) == TaskState.COMPLETED);

            Health health = ctx.getBean(FerryHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("backend", "embedded").containsEntry("deadSetSize", 1L)
                    .containsEntry("liveWorkers", 1).containsKey("worker");
        });
    }

    @Test
    void healthIsDownWhenTheBackendIsClosed() {
        runner().run(ctx -> {
            ctx.getBean(dev.ferry.spi.Broker.class).close();
            assertThat(ctx.getBean(FerryHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void healthIndicatorCanBeTurnedOff() {
        runner().withPropertyValues("management.health.ferry.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(FerryHealthIndicator.class));
    }

    @Test
    void metersGoOnTheApplicationsRegistryAndTheWorkerReportsToThem() {
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(FerryMetrics.class);
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            String id = ctx.getBean(Client.class).enqueue(Task.of("greet", new Greet("m"))).id();
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.find("ferry.task.processing")
                    .tag("type", "greet").tag("outcome", "succeeded").timer() != null);
            ctx.getBean(FerryMetrics.class).refresh();
            assertThat(registry.get("ferry.queue.depth").tag("queue", "default").tag("state", "completed").gauge().value())
                    .isEqualTo(1.0);
            assertThat(ctx.getBean(Inspector.class).task(id)).isPresent();
        });
    }

    @Test
    void noMetersWhenTurnedOffOrWithoutARegistry() {
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new).withPropertyValues("ferry.metrics.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(FerryMetrics.class));
        runner().run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(FerryMetrics.class));
    }

    @Test
    void dashboardServerRunsOnItsOwnPortWhenEnabled() {
        runner().withPropertyValues("ferry.server.enabled=true", "ferry.server.port=0").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            var server = ctx.getBean(FerryServerLifecycle.class).server();
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/queues")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        });
        runner().run(ctx -> assertThat(ctx).doesNotHaveBean(FerryServerLifecycle.class));
    }

    static class Ticks {
        final List<String> ticks = new CopyOnWriteArrayList<>();

        @CronTask(name = "test-tick", cron = "every 1s")
        String tick(TaskContext ctx) {
            ticks.add(ctx.headers().get(CronScheduler.TICK_HEADER));
            return "ticked";
        }
    }

    @Test
    void cronTaskMethodsFireThroughTheSchedulerAndRunOnTheWorker() {
        runner().withBean(Ticks.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            CronScheduler scheduler = ctx.getBean(FerrySchedulerLifecycle.class).scheduler();
            assertThat(scheduler.schedules()).singleElement().satisfies(s -> assertThat(s.name()).isEqualTo("test-tick"));
            Ticks ticks = ctx.getBean(Ticks.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> !ticks.ticks.isEmpty());
            assertThat(ticks.ticks.getFirst()).endsWith("Z");
        });
    }

    static class BadCron {
        @CronTask(name = "bad", cron = "61 * * * *")
        void run() {
        }
    }

    @Test
    void aBadCronExpressionFailsTheStartNamingTheMethod() {
        runner().withBean(BadCron.class).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("@CronTask(cron)")
                    .hasStackTraceContaining("BadCron.run");
        });
    }
}
