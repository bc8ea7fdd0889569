package dev.ferry.examples.orders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The scenarios with the defaults: the embedded broker (in a temp directory) and H2 in memory. */
class OrdersApplicationTest extends OrdersScenarios {

    @DynamicPropertySource
    static void broker(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("ferry-orders-test");
        registry.add("ferry.broker.url", () -> "sqlite:" + dir.resolve("ferry.db"));
    }

    @Override
    String expectedBackend() {
        return "embedded";
    }
}
