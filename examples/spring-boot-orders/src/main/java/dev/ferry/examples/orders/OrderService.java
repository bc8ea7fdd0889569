package dev.ferry.examples.orders;

import dev.ferry.Client;
import dev.ferry.Task;
import dev.ferry.examples.orders.Payloads.ChargeOrder;
import dev.ferry.examples.orders.Payloads.ReserveStock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: the order row and its first tasks in one transaction. */
@Service
public class OrderService {
    private final OrderRepository orders;
    private final Client client;

    OrderService(OrderRepository orders, Client client) {
        this.orders = orders;
        this.client = client;
    }

    /**
     * Stores the order and enqueues its two parallel steps. On PostgreSQL
     * ({@code ferry.broker.url=postgresql}) the injected {@link Client} writes the tasks with this
     * transaction's connection: the order and its tasks commit together, or not at all. On the
     * embedded broker the tasks are stored at once, apart from the orders database; the steps
     * then refuse an order that is not there (it was rolled back).
     */
    @Transactional
    public Order place(String customer, String sku, int quantity, long cents) {
        Order order = new Order("ord-" + UUID.randomUUID().toString().substring(0, 8), customer, sku, quantity, cents,
                "PLACED", false, false, null);
        orders.insert(order);
        client.enqueueAll(List.of(
                // payments first: the critical queue has the largest weight
                Task.of("order.charge", new ChargeOrder(order.id(), cents)).queue("critical").priority(1)
                        .id("charge-" + order.id()).maxAttempts(5),
                Task.of("order.inventory", new ReserveStock(order.id(), sku, quantity))
                        .id("inventory-" + order.id()).maxAttempts(5).timeout(Duration.ofMinutes(1))));
        return order;
    }
}
