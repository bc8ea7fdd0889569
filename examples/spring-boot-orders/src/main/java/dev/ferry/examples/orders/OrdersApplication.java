package dev.ferry.examples.orders;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The seed's order pipeline as a Spring Boot application on Ferry:
 * {@code POST /orders} stores the order and enqueues {@code order.charge} and
 * {@code order.inventory} (in parallel); when both are done, {@code order.finalize} runs once.
 *
 * <pre>mvn spring-boot:run      # embedded broker ./ferry.db, orders in memory</pre>
 */
@SpringBootApplication
public class OrdersApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
