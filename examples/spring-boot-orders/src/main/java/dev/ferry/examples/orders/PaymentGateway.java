package dev.ferry.examples.orders;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * A stand-in payment provider. Like real ones, it takes an idempotency key: a second charge with
 * the same key returns the first payment instead of charging again. It counts real charges so the
 * example (and its test) can show that a retried step charged once.
 */
@Component
public class PaymentGateway {
    private final Map<String, String> paymentsByKey = new ConcurrentHashMap<>();
    private final AtomicInteger charges = new AtomicInteger();

    /** Charges {@code cents} for the order; returns the payment id. */
    public String charge(String idempotencyKey, String orderId, long cents) {
        return paymentsByKey.computeIfAbsent(idempotencyKey, k -> {
            charges.incrementAndGet();
            return "pay-" + orderId + "-" + cents;
        });
    }

    /** Real charges made so far. */
    public int charges() {
        return charges.get();
    }
}
