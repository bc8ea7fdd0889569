package dev.ferry.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.Inspector;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spring.autoconfigure.Greetings.Greet;
import dev.ferry.spring.autoconfigure.Greetings.Greeting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** A Spring Boot application on the embedded broker (a SQLite file in a temp directory). */
class EmbeddedSpringBootTest {
    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Greetings.Handlers.class)
    static class App {
    }

    private ConfigurableApplicationContext start(String... extra) {
        String[] props = new String[extra.length + 3];
        props[0] = "ferry.broker.url=sqlite:" + dir.resolve("ferry.db");
        props[1] = "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";
        props[2] = "ferry.worker.shutdown-grace=20s";
        System.arraycopy(extra, 0, props, 3, extra.length);
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(props).run();
    }

    @Test
    void enqueuesRunsHandlerMethodsAndShutsDownCleanly() {
        String id;
        try (ConfigurableApplicationContext ctx = start()) {
            Client client = ctx.getBean(Client.class);
            Inspector inspector = ctx.getBean(Inspector.class);
            assertThat(ctx.getBean(Ferry.class).broker().capabilities().name()).isEqualTo("embedded");

            id = client.enqueue(Task.of("greet", new Greet("ada"))).id();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(inspector, id) == TaskState.COMPLETED);
            assertThat(inspector.result(id, Greeting.class)).contains(new Greeting("hello ada", 1));
            assertThat(ctx.getBean(Greetings.Handlers.class).greeted).containsExactly("ada");
            assertThat(ctx.getBean(FerryWorkerLifecycle.class).worker().isRunning()).isTrue();
            assertThat(inspector.workers()).hasSize(1);
        }
        // closed cleanly: the worker unregistered and nothing is left running
        try (Ferry ferry = Ferry.open("sqlite:" + dir.resolve("ferry.db"))) {
            assertThat(ferry.inspector().workers()).isEmpty();
            assertThat(ferry.inspector().task(id)).map(TaskInfo::state).contains(TaskState.COMPLETED);
            assertThat(ferry.inspector().queue("default").count(TaskState.ACTIVE)).isZero();
        }
    }

    @Test
    void shutdownLetsTheRunningTaskFinishBeforeTheBrokerCloses() {
        ConfigurableApplicationContext ctx = start();
        Greetings.Handlers handlers = ctx.getBean(Greetings.Handlers.class);
        FerryWorkerLifecycle lifecycle = ctx.getBean(FerryWorkerLifecycle.class);
        String id = ctx.getBean(Client.class).enqueue(Task.of("greet.slow", new Greet("grace"))).id();
        await().atMost(Duration.ofSeconds(30)).until(() -> handlers.slowStarted.getCount() == 0);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(ctx::close);
        // the worker stops claiming first; only then is the running task allowed to end
        await().atMost(Duration.ofSeconds(30)).until(() -> !lifecycle.isRunning());
        assertThat(closing).isNotDone();
        handlers.slowMayFinish.countDown();
        closing.join();

        try (Ferry ferry = Ferry.open("sqlite:" + dir.resolve("ferry.db"))) {
            assertThat(ferry.inspector().task(id)).map(TaskInfo::state).contains(TaskState.COMPLETED);
            assertThat(ferry.inspector().result(id, String.class)).contains("slow grace");
        }
    }

    private static TaskState state(Inspector inspector, String id) {
        return inspector.task(id).map(TaskInfo::state).orElse(null);
    }
}
