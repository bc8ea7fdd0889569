package dev.ferry.examples.orders;

import java.net.URI;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders} places an order; {@code GET /orders/{id}} shows how far it got. */
@RestController
@RequestMapping("/orders")
public class OrderController {
    private final OrderService service;
    private final OrderRepository orders;

    OrderController(OrderService service, OrderRepository orders) {
        this.service = service;
        this.orders = orders;
    }

    /** The body of {@code POST /orders}. */
    public record PlaceOrder(String customer, String sku, int quantity, long cents) {
    }

    @PostMapping
    public ResponseEntity<Order> place(@RequestBody PlaceOrder request) {
        if (request.customer() == null || request.sku() == null || request.quantity() < 1 || request.cents() < 1) {
            return ResponseEntity.badRequest().build();
        }
        Order order = service.place(request.customer(), request.sku(), request.quantity(), request.cents());
        return ResponseEntity.created(URI.create("/orders/" + order.id())).body(order);
    }

    @GetMapping("/{id}")
    public ResponseEntity<Order> get(@PathVariable("id") String id) {
        return ResponseEntity.of(orders.find(id));
    }
}
