package dev.ferry.examples.orders;

/**
 * An order as stored in the {@code orders} table.
 *
 * @param status    {@code PLACED}, then {@code COMPLETED} once charged and reserved
 * @param charged   the charge step is done
 * @param reserved  the inventory step is done
 * @param paymentId the payment provider's id, once charged
 */
public record Order(String id, String customer, String sku, int quantity, long cents, String status,
        boolean charged, boolean reserved, String paymentId) {
}
