package dev.ferry.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Client;
import dev.ferry.Ferry;
import dev.ferry.Inspector;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.redis.RedisBroker;
import dev.ferry.spring.autoconfigure.Greetings.Greet;
import dev.ferry.spring.autoconfigure.Greetings.Greeting;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * A Spring Boot application on Redis (127.0.0.1:6379) through the application's own
 * {@code spring.data.redis.*} settings: {@code ferry.broker.url=redis}, with a key prefix of this
 * test's own, deleted afterwards.
 */
class RedisSpringBootTest {
    private final String prefix = "sbt-" + UUID.randomUUID().toString().substring(0, 8);

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Greetings.Handlers.class)
    static class App {
    }

    @AfterEach
    void deleteKeys() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + ":*").limit(500)).forEachRemaining(keys::add);
            if (!keys.isEmpty()) {
                c.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void runsHandlersWithTheApplicationsRedisSettingsAndShutsDownCleanly() {
        String id;
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(
                "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "spring.data.redis.host=127.0.0.1",
                "spring.data.redis.port=6379",
                "ferry.broker.url=redis",
                "ferry.broker.options.keyPrefix=" + prefix,
                "ferry.worker.queues.critical=6",
                "ferry.worker.queues.default=3").run()) {
            Ferry ferry = ctx.getBean(Ferry.class);
            assertThat(ferry.broker()).isInstanceOf(RedisBroker.class);
            assertThat(((RedisBroker) ferry.broker()).keyPrefix()).isEqualTo(prefix);
            Inspector inspector = ctx.getBean(Inspector.class);

            id = ctx.getBean(Client.class).enqueue(Task.of("greet", new Greet("redis")).queue("critical")).id();
            String other = ctx.getBean(Client.class).enqueue(Task.of("greet", new Greet("default"))).id();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(inspector, id) == TaskState.COMPLETED
                    && state(inspector, other) == TaskState.COMPLETED);
            assertThat(inspector.result(id, Greeting.class)).contains(new Greeting("hello redis", 1));
            assertThat(inspector.workers()).singleElement().satisfies(w -> assertThat(w.queues()).contains("critical", "default"));
        }
        try (RedisBroker broker = RedisBroker.builder("redis://127.0.0.1:6379").keyPrefix(prefix).build();
             Ferry ferry = Ferry.builder().broker(broker).build()) {
            assertThat(ferry.inspector().workers()).isEmpty();
            assertThat(ferry.inspector().task(id)).map(TaskInfo::state).contains(TaskState.COMPLETED);
            assertThat(ferry.inspector().queue("critical").count(TaskState.ACTIVE)).isZero();
        }
    }

    private static TaskState state(Inspector inspector, String id) {
        return inspector.task(id).map(TaskInfo::state).orElse(null);
    }
}
