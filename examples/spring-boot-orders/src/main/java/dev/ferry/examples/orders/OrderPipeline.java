package dev.ferry.examples.orders;

import dev.ferry.Client;
import dev.ferry.Task;
import dev.ferry.TaskContext;
import dev.ferry.TaskOutcome;
import dev.ferry.examples.orders.Payloads.ChargeOrder;
import dev.ferry.examples.orders.Payloads.FinalizeOrder;
import dev.ferry.examples.orders.Payloads.PaymentReceipt;
import dev.ferry.examples.orders.Payloads.ReserveStock;
import dev.ferry.spring.CronTask;
import dev.ferry.spring.TaskHandler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The steps of an order, as {@code @TaskHandler} methods: charge and inventory run in parallel,
 * and whichever finishes second enqueues {@code order.finalize} (a chord). Its task id is
 * {@code finalize-<order>}, so even if both see the other done, one finalize task exists.
 */
@Component
public class OrderPipeline {
    private static final Log LOG = LogFactory.getLog(OrderPipeline.class);

    private final OrderRepository orders;
    private final PaymentGateway payments;
    private final Client client;
    private final Set<String> crashAfterChargeOnce;
    private final Set<String> crashed = ConcurrentHashMap.newKeySet();

    OrderPipeline(OrderRepository orders, PaymentGateway payments, Client client,
            @Value("${orders.demo.crash-after-charge-once:flaky}") Set<String> crashAfterChargeOnce) {
        this.orders = orders;
        this.payments = payments;
        this.client = client;
        this.crashAfterChargeOnce = crashAfterChargeOnce;
    }

    /**
     * Charges once, however often the step runs: the payment goes through {@code ctx.idempotent},
     * so a retry gets the stored receipt, and the provider gets the same key too. For the
     * customers in {@code orders.demo.crash-after-charge-once} the first attempt fails right after
     * charging, to show exactly that.
     */
    @TaskHandler("order.charge")
    @Transactional
    public PaymentReceipt charge(ChargeOrder order, TaskContext ctx) throws Exception {
        Order stored = requireOrder(order.orderId());
        String key = "payment:" + order.orderId();
        String paymentId = ctx.idempotent(key, String.class, () -> payments.charge(key, order.orderId(), order.cents()));
        if (crashAfterChargeOnce.contains(stored.customer()) && crashed.add(order.orderId())) {
            throw new IllegalStateException("demo: lost the connection after charging " + order.orderId());
        }
        if (orders.markCharged(order.orderId(), paymentId)) {
            finalizeLater(order.orderId());
        }
        return new PaymentReceipt(order.orderId(), paymentId);
    }

    /**
     * Reserves stock once, in the orders database's own transaction (the seed's "DB-based
     * idempotency": the reserved flag and the stock change commit together). Too little stock is
     * not worth retrying: the task goes to the dead set.
     */
    @TaskHandler("order.inventory")
    @Transactional
    public String reserve(ReserveStock step) {
        requireOrder(step.orderId());
        if (!orders.reserve(step.orderId(), step.sku(), step.quantity())) {
            throw TaskOutcome.fail("not enough stock of " + step.sku() + " for " + step.orderId());
        }
        if (orders.bothDone(step.orderId())) {
            finalizeLater(step.orderId());
        }
        return "reserved " + step.quantity() + " x " + step.sku();
    }

    /**
     * Completes the order. On the embedded broker the finalize task is stored at once, while the
     * step that enqueued it may not have committed its flags in the orders database yet: then this
     * step waits a moment and looks again (on PostgreSQL the task and the flags commit together).
     */
    @TaskHandler("order.finalize")
    @Transactional
    public String finalizeOrder(FinalizeOrder step) {
        if (!orders.bothDone(step.orderId())) {
            throw TaskOutcome.retryAfter(Duration.ofMillis(200), "the steps of " + step.orderId() + " have not committed yet");
        }
        orders.complete(step.orderId());
        LOG.info("order " + step.orderId() + " completed");
        return "completed";
    }

    /** Runs once a minute on one instance of the application, however many run. */
    @CronTask(name = "orders.pending-report", cron = "every 1m")
    public long pendingReport() {
        long placed = orders.countPlaced();
        if (placed > 0) {
            LOG.info(placed + " order(s) still in progress");
        }
        return placed;
    }

    /**
     * The order, or a short retry when its row is not visible. On PostgreSQL a task exists only once
     * its order committed, so that never happens; on the embedded broker the task is stored at once
     * and may run before the order's transaction commits, or after it rolled back. A rolled-back
     * order runs out of attempts and lands in the dead set with this message.
     */
    private Order requireOrder(String orderId) {
        return orders.find(orderId).orElseThrow(() -> TaskOutcome.retryAfter(Duration.ofMillis(200),
                "order " + orderId + " is not in the database: not committed yet, or rolled back"));
    }

    private void finalizeLater(String orderId) {
        // Joins this handler's transaction on PostgreSQL; the deterministic id makes a second one a no-op.
        client.enqueue(Task.of("order.finalize", new FinalizeOrder(orderId)).id("finalize-" + orderId).maxAttempts(20));
    }
}
