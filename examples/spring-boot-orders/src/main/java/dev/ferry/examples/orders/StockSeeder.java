package dev.ferry.examples.orders;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** Puts some stock on the shelf at start, so orders can be placed right away. */
@Component
class StockSeeder implements ApplicationRunner {
    private final OrderRepository orders;
    private final int widgets;

    StockSeeder(OrderRepository orders, @Value("${orders.demo.widgets:100}") int widgets) {
        this.orders = orders;
        this.widgets = widgets;
    }

    @Override
    public void run(ApplicationArguments args) {
        orders.addStock("widget", widgets);
        orders.addStock("gadget", 0);
    }
}
