package dev.ferry.examples.orders;

/** The task payloads: small records naming the order, never the order itself. */
final class Payloads {
    private Payloads() {
    }

    /** {@code order.charge}: take the payment for an order. */
    record ChargeOrder(String orderId, long cents) {
    }

    /** {@code order.inventory}: reserve the order's stock. */
    record ReserveStock(String orderId, String sku, int quantity) {
    }

    /** {@code order.finalize}: both steps are done. */
    record FinalizeOrder(String orderId) {
    }

    /** What the charge step returns (the task's result). */
    record PaymentReceipt(String orderId, String paymentId) {
    }
}
