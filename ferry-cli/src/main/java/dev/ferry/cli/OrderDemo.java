package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.QueueSelection;
import dev.ferry.RawJson;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.TaskContext;
import dev.ferry.TaskEvent;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import dev.ferry.workflow.Workflow;
import dev.ferry.workflow.Workflows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The seed's order pipeline, end to end in one process, as one workflow per order: a chain
 * {@code order.validate → chord(order.charge ‖ order.inventory → order.finalize) → order.notify},
 * on queues {@code critical}, {@code default} and {@code low} served by one worker with weights 6:3:1.
 *
 * <h2>What it shows</h2>
 * <ul>
 *   <li><b>A chain and a chord.</b> Charge and inventory run in parallel once the order is
 *       validated; finalize runs once, after both, with both results; the notification follows.
 *       Steps have deterministic ids ({@code wf.<order>.charge}), so a step that runs again can
 *       never release its successor twice.</li>
 *   <li><b>Retries with backoff.</b> The charge of every third order fails on its first attempt
 *       <em>after</em> the payment went through (the gateway timed out confirming it), the nasty
 *       case; it is retried after 100 ms (exponential, 10 % jitter).</li>
 *   <li><b>Idempotency.</b> The charge runs inside {@link TaskContext#idempotent} keyed
 *       {@code charge:<order>}: the retry gets the stored receipt instead of charging again. The
 *       fake gateway counts real charges per order, so the summary can prove there was no double
 *       charge.</li>
 *   <li><b>The dead set.</b> One poison order carries a corrupt card token: its charge fails on
 *       every attempt and lands in the dead set after three.</li>
 * </ul>
 * The demo checks those promises itself ({@link Report#problems()}).
 */
final class OrderDemo {
    static final String VALIDATE = "order.validate";
    static final String CHARGE = "order.charge";
    static final String INVENTORY = "order.inventory";
    static final String FINALIZE = "order.finalize";
    static final String NOTIFY = "order.notify";
    static final Map<String, Integer> QUEUES = weights();
    static final int MAX_ATTEMPTS = 3;
    /** Generous for 200 orders (a few seconds); it only guards against a hang. */
    static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final Duration REFRESH = Duration.ofMillis(200);
    private static final String CORRUPT_CARD = "tok_corrupt";

    /** An order, the payload of all three steps. */
    record Order(String orderId, int number, String customer, long cents, String card) {
    }

    /** What the payment gateway returns; stored by the idempotency helper. */
    record Receipt(String paymentId, String orderId, long cents) {
    }

    /** What the inventory step returns. */
    record Reservation(String reservationId, String orderId) {
    }

    /** Thrown by the flaky charges: an ordinary exception, so the retry policy applies. */
    static final class GatewayTimeoutException extends RuntimeException {
        GatewayTimeoutException(String message) {
            super(message);
        }
    }

    /**
     * A payment gateway that counts the charges it really makes, per order: the demo's witness
     * that a retried charge did not charge twice.
     */
    static final class FakePaymentGateway {
        private final Map<String, AtomicInteger> chargesByOrder = new ConcurrentHashMap<>();
        private final AtomicLong charges = new AtomicLong();

        Receipt charge(Order order) throws InterruptedException {
            Thread.sleep(2); // a remote call takes a little while
            chargesByOrder.computeIfAbsent(order.orderId(), k -> new AtomicInteger()).incrementAndGet();
            long n = charges.incrementAndGet();
            return new Receipt("pay-" + n, order.orderId(), order.cents());
        }

        long charges() {
            return charges.get();
        }

        /** Orders charged more than once. */
        long doubleCharged() {
            return chargesByOrder.values().stream().filter(c -> c.get() > 1).count();
        }
    }

    /** A snapshot for the live progress line. */
    record Progress(int orders, long ordersDone, long processed, long retried, long dead, Duration elapsed) {
    }

    /**
     * The outcome of a run.
     *
     * @param orders          orders placed
     * @param ordersCompleted orders charged and notified
     * @param byQueue         orders per queue
     * @param processed       successful attempts (all steps)
     * @param retried         failed attempts that were retried
     * @param dead            tasks that went dead
     * @param realCharges     charges the gateway really made
     * @param doubleCharged   orders the gateway charged more than once (must be 0)
     * @param finalizeRuns    runs of the chord callback (finalize) per order: must be 1 for every completed order
     * @param workflows       orders' workflows by final status, as the inspector shows them
     * @param taskLatency     per task, handler run time, in microseconds
     * @param orderLatency    per order, workflow started to its last step done, in microseconds
     * @param deadTasks       the dead set as stored, for this run's tasks
     * @param took            wall time from the first enqueue to the last order finished
     * @param brokerUrl       the store used
     * @param temporary       true when the store was a temp file (deleted after the run)
     */
    record Report(int orders, long ordersCompleted, Map<String, Integer> byQueue, long processed, long retried, long dead,
            long realCharges, long doubleCharged, Map<String, Integer> finalizeRuns, Map<String, Long> workflows,
            Histogram taskLatency, Histogram orderLatency,
            List<TaskInfo> deadTasks, Duration took, String brokerUrl, boolean temporary) {

        /** The promises the demo shows; empty when all hold. */
        List<String> problems() {
            List<String> p = new ArrayList<>();
            if (doubleCharged != 0) {
                p.add(doubleCharged + " orders were charged more than once");
            }
            if (realCharges != orders - 1) {
                p.add("expected " + (orders - 1) + " real charges (every order but the poison one), got " + realCharges);
            }
            if (deadTasks.size() != 1 || !deadTasks.get(0).type().equals(CHARGE)) {
                p.add("expected exactly the poison order's charge in the dead set, found " + deadTasks.size() + " dead tasks");
            }
            if (ordersCompleted != orders - 1) {
                p.add("expected " + (orders - 1) + " orders completed, got " + ordersCompleted);
            }
            long finalizedOnce = finalizeRuns.values().stream().filter(n -> n == 1).count();
            if (finalizedOnce != orders - 1 || finalizeRuns.size() != orders - 1) {
                p.add("expected finalize to run exactly once for each of " + (orders - 1) + " orders, runs: " + finalizeRuns.values().stream()
                        .collect(java.util.stream.Collectors.groupingBy(n -> n, java.util.stream.Collectors.counting())));
            }
            if (workflows.getOrDefault("COMPLETED", 0L) != orders - 1 || workflows.getOrDefault("FAILED", 0L) != 1) {
                p.add("expected " + (orders - 1) + " workflows completed and 1 failed, got " + workflows);
            }
            return p;
        }
    }

    private final int orders;
    private final int concurrency;
    private final String requestedBrokerUrl;
    private final String runTag;
    private final FakePaymentGateway gateway = new FakePaymentGateway();
    private final Map<String, Long> orderStartNanos = new ConcurrentHashMap<>();
    private final Map<String, Integer> finalizeRuns = new ConcurrentHashMap<>();
    private final Set<String> finishedOrders = ConcurrentHashMap.newKeySet();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong completedOrders = new AtomicLong();
    private final Histogram taskLatency = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final Histogram orderLatency = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final CountDownLatch allFinished;
    private volatile Workflows workflows;

    /**
     * @param orders      how many orders to place
     * @param concurrency the worker's handler slots
     * @param brokerUrl   the store, or null for a fresh temp SQLite file (deleted afterwards)
     */
    OrderDemo(int orders, int concurrency, String brokerUrl) {
        this.orders = orders;
        this.concurrency = concurrency;
        this.requestedBrokerUrl = brokerUrl;
        // On a fresh store the ids are simply ord-0001...; on a store given by the user a run tag
        // keeps them apart from an earlier run's (an id is a dedup key until its task is pruned).
        this.runTag = brokerUrl == null ? "" : Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36) + "-";
        this.allFinished = new CountDownLatch(orders);
    }

    private static Map<String, Integer> weights() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("critical", 6);
        m.put("default", 3);
        m.put("low", 1);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Runs the pipeline until every order is finished; {@code progress} gets a snapshot about 5 times a second. */
    Report run(Consumer<Progress> progress) throws InterruptedException {
        Path tempDir = null;
        String url = requestedBrokerUrl;
        try {
            if (url == null) {
                tempDir = Files.createTempDirectory("ferry-demo-");
                url = "sqlite:" + tempDir.resolve("demo.db");
            }
            try (Ferry ferry = BaseCommand.open(url)) {
                workflows = ferry.workflows();
                Worker worker = ferry.worker()
                        .queues(QueueSelection.weighted(QUEUES))
                        .concurrency(concurrency)
                        // Retries become due 100 ms out; poll often enough that they do not wait for a wake-up.
                        .pollInterval(Duration.ofMillis(50))
                        .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(2), 0.1))
                        .shutdownGrace(Duration.ofSeconds(5))
                        .listener(this::onEvent)
                        .handle(VALIDATE, Order.class, this::validate)
                        .handle(CHARGE, Order.class, this::charge)
                        .handle(INVENTORY, Order.class, this::inventory)
                        .handle(FINALIZE, RawJson.class, this::finalizeOrder)
                        .handle(NOTIFY, Order.class, this::notify)
                        .start();
                long start = System.nanoTime();
                Map<String, Integer> byQueue = placeOrders();
                long deadline = start + DEADLINE.toNanos();
                while (!allFinished.await(REFRESH.toMillis(), TimeUnit.MILLISECONDS)) {
                    progress.accept(progress(start));
                    if (System.nanoTime() > deadline) {
                        throw new CliException(FerryCli.EXIT_FAILURE, "the demo did not finish within " + Durations.format(DEADLINE)
                                + ": " + allFinished.getCount() + " orders still open");
                    }
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                progress.accept(progress(start));
                worker.close(); // graceful: every outcome is acked before the dead set is read
                List<TaskInfo> deadTasks = ferry.inspector().tasks(null, TaskState.DEAD, 0, 1000).tasks().stream()
                        .filter(t -> orderStartNanos.containsKey(t.headers().getOrDefault("ferry-wf", "")))
                        .toList();
                Map<String, Long> byStatus = new java.util.TreeMap<>();
                for (String orderId : orderStartNanos.keySet()) {
                    String status = ferry.inspector().workflow(orderId).map(w -> w.status().name()).orElse("MISSING");
                    byStatus.merge(status, 1L, Long::sum);
                }
                return new Report(orders, completedOrders.get(), byQueue, processed.get(), retried.get(), dead.get(),
                        gateway.charges(), gateway.doubleCharged(), Map.copyOf(finalizeRuns), byStatus, taskLatency, orderLatency,
                        deadTasks, took, url, tempDir != null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp directory for the demo store", e);
        } finally {
            if (tempDir != null) {
                deleteQuietly(tempDir);
            }
        }
    }

    private Progress progress(long startNanos) {
        return new Progress(orders, orders - allFinished.getCount(), processed.get(), retried.get(), dead.get(),
                Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** Every 10th order is express (critical), 3 in 10 are bulk (low), the rest default; one is poison. */
    private Map<String, Integer> placeOrders() {
        Map<String, Integer> byQueue = new LinkedHashMap<>();
        QUEUES.keySet().forEach(q -> byQueue.put(q, 0));
        int poison = (orders + 1) / 2;
        for (int n = 1; n <= orders; n++) {
            String orderId = String.format("ord-%s%04d", runTag, n);
            long cents = 500 + (n * 7919L) % 20_000;
            Order order = new Order(orderId, n, "customer-" + (n % 37), cents, n == poison ? CORRUPT_CARD : "tok_visa_" + (4000 + n));
            byQueue.merge(queueOf(order), 1, Integer::sum);
            orderStartNanos.put(orderId, System.nanoTime());
            workflows.start(pipeline(order));
        }
        return byQueue;
    }

    /**
     * One order's workflow, as in the seed: validate, then charge and inventory in parallel, then
     * finalize with both results (a chord), then notify. The workflow id is the order id, so
     * starting it twice would create nothing new.
     */
    static Workflow pipeline(Order order) {
        return Workflow.chain(
                        Workflow.step("validate", step(VALIDATE, order)),
                        Workflow.chord(
                                Workflow.group(Workflow.step("charge", step(CHARGE, order)), Workflow.step("inventory", step(INVENTORY, order))),
                                Workflow.step("finalize", Workflow.step(FINALIZE).queue(queueOf(order)).priority(priorityOf(order)))),
                        Workflow.step("notify", step(NOTIFY, order)))
                .id(order.orderId());
    }

    static String queueOf(Order o) {
        int r = o.number() % 10;
        return r == 0 ? "critical" : r >= 7 ? "low" : "default";
    }

    /** Express first; within the default queue, big orders before small ones. */
    static int priorityOf(Order o) {
        return switch (queueOf(o)) {
            case "critical" -> 0;
            case "low" -> 90;
            default -> o.cents() >= 10_000 ? 20 : 50;
        };
    }

    /** The task id of an order's step: {@code wf.<order>.<step>}. */
    static String stepId(String step, String orderId) {
        return "wf." + orderId + "." + step;
    }

    private static Task step(String type, Order order) {
        return Task.of(type, order).queue(queueOf(order)).priority(priorityOf(order)).maxAttempts(MAX_ATTEMPTS);
    }

    private Object validate(Order order, TaskContext ctx) {
        if (order.cents() <= 0 || order.customer().isBlank()) {
            throw dev.ferry.TaskOutcome.fail("order " + order.orderId() + " has no amount or no customer");
        }
        return Map.of("orderId", order.orderId(), "status", "validated");
    }

    private Object charge(Order order, TaskContext ctx) throws Exception {
        if (order.card().startsWith(CORRUPT_CARD)) {
            throw new IllegalStateException("the gateway rejects the card token of " + order.orderId() + " (corrupt token)");
        }
        Receipt receipt = ctx.idempotent("charge:" + order.orderId(), Receipt.class, () -> gateway.charge(order));
        if (order.number() % 3 == 0 && ctx.attempt() == 1) {
            // After the money moved: the retry must not charge again.
            throw new GatewayTimeoutException("gateway timed out confirming " + receipt.paymentId() + " for " + order.orderId());
        }
        return receipt;
    }

    private Object inventory(Order order, TaskContext ctx) {
        return new Reservation("res-" + order.number(), order.orderId());
    }

    /** The chord callback: runs once per order, with the charge's receipt and the reservation, in that order. */
    @SuppressWarnings("rawtypes")
    private Object finalizeOrder(RawJson results, TaskContext ctx) {
        String orderId = ctx.headers().get("ferry-wf");
        finalizeRuns.merge(orderId, 1, Integer::sum);
        List<Map> both = ctx.inputs(Map.class);
        if (both.size() != 2 || !orderId.equals(both.get(0).get("orderId")) || !orderId.equals(both.get(1).get("orderId"))) {
            throw dev.ferry.TaskOutcome.fail("finalize of " + orderId + " expected the receipt and the reservation, got " + results.json());
        }
        return Map.of("orderId", orderId, "paymentId", both.get(0).get("paymentId"), "reservationId", both.get(1).get("reservationId"));
    }

    private Object notify(Order order, TaskContext ctx) {
        Map<?, ?> finalized = ctx.input(Map.class);
        return Map.of("orderId", order.orderId(), "sent", "confirmation of " + finalized.get("paymentId") + " to " + order.customer());
    }

    private void onEvent(TaskEvent e) {
        switch (e.kind()) {
            case SUCCEEDED -> {
                processed.incrementAndGet();
                long now = System.nanoTime();
                record(taskLatency, e.took().toNanos());
                // An order is done when its last step, the notification, succeeded.
                if (e.type().equals(NOTIFY)) {
                    String orderId = orderIdOf(e.taskId());
                    if (finishedOrders.add(orderId)) {
                        Long o0 = orderStartNanos.get(orderId);
                        if (o0 != null) {
                            record(orderLatency, now - o0);
                        }
                        completedOrders.incrementAndGet();
                        allFinished.countDown();
                    }
                }
            }
            case RETRYING -> retried.incrementAndGet();
            case DEAD -> {
                dead.incrementAndGet();
                if (finishedOrders.add(orderIdOf(e.taskId()))) {
                    allFinished.countDown();
                }
            }
            default -> {
                // started, snoozed, cancelled, released: not counted
            }
        }
    }

    /** {@code wf.<order>.<step>} → the order id (the workflow id). */
    private static String orderIdOf(String taskId) {
        return taskId.substring(3, taskId.lastIndexOf('.'));
    }

    private static void record(Histogram h, long nanos) {
        h.recordValue(Math.min(Math.max(0, nanos / 1000), h.getHighestTrackableValue()));
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover temp file is not worth failing the demo for
                }
            });
        } catch (IOException e) {
            // same
        }
    }
}
