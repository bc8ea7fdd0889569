package dev.ferry.examples.orders;

import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The orders and stock tables, through plain JDBC (H2 in memory, or PostgreSQL). */
@Repository
public class OrderRepository {
    private final JdbcTemplate jdbc;

    OrderRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Order o) {
        jdbc.update("INSERT INTO orders (id, customer, sku, quantity, cents, status, charged, reserved) "
                + "VALUES (?, ?, ?, ?, ?, 'PLACED', FALSE, FALSE)", o.id(), o.customer(), o.sku(), o.quantity(), o.cents());
    }

    public Optional<Order> find(String id) {
        return jdbc.query("SELECT id, customer, sku, quantity, cents, status, charged, reserved, payment_id FROM orders WHERE id = ?",
                (rs, n) -> new Order(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5),
                        rs.getString(6), rs.getBoolean(7), rs.getBoolean(8), rs.getString(9)), id).stream().findFirst();
    }

    /**
     * Marks the charge done and tells whether the order is now charged and reserved. The update
     * locks the row, so of two steps finishing at once the later one sees both flags.
     */
    boolean markCharged(String id, String paymentId) {
        jdbc.update("UPDATE orders SET charged = TRUE, payment_id = ? WHERE id = ?", paymentId, id);
        return bothDone(id);
    }

    /**
     * Takes the stock and marks the order reserved, once: a re-run of the step (after a crash) finds
     * it reserved and takes nothing. Returns false when there is not enough stock.
     */
    boolean reserve(String id, String sku, int quantity) {
        int marked = jdbc.update("UPDATE orders SET reserved = TRUE WHERE id = ? AND reserved = FALSE", id);
        if (marked == 0) {
            return true;
        }
        return jdbc.update("UPDATE stock SET available = available - ? WHERE sku = ? AND available >= ?", quantity, sku, quantity) == 1;
    }

    boolean bothDone(String id) {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT charged AND reserved FROM orders WHERE id = ?", Boolean.class, id));
    }

    void complete(String id) {
        jdbc.update("UPDATE orders SET status = 'COMPLETED' WHERE id = ? AND charged AND reserved", id);
    }

    int stock(String sku) {
        Integer n = jdbc.query("SELECT available FROM stock WHERE sku = ?", rs -> rs.next() ? rs.getInt(1) : null, sku);
        return n == null ? 0 : n;
    }

    void addStock(String sku, int available) {
        if (jdbc.update("UPDATE stock SET available = ? WHERE sku = ?", available, sku) == 0) {
            jdbc.update("INSERT INTO stock (sku, available) VALUES (?, ?)", sku, available);
        }
    }

    long countPlaced() {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM orders WHERE status = 'PLACED'", Long.class);
        return n == null ? 0 : n;
    }
}
