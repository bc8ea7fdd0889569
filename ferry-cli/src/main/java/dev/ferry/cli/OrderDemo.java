package dev.ferry.cli;

import dev.ferry.Client;
import dev.ferry.EnqueueResult;
import dev.ferry.Ferry;
import dev.ferry.QueueSelection;
import dev.ferry.RetryPolicy;
import dev.ferry.Task;
import dev.ferry.TaskContext;
import dev.ferry.TaskEvent;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.Worker;
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
 * The seed's order pipeline, end to end in one process: {@code order.validate → order.charge →
 * order.notify}, on queues {@code critical}, {@code default} and {@code low} served by one worker
 * with weights 6:3:1.
 *
 * <h2>What it shows</h2>
 * <ul>
 *   <li><b>Chaining without duplicates.</b> Each step's handler enqueues the next step with a
 *       deterministic id ({@code charge-<order>}, {@code notify-<order>}): when a step runs again,
 *       its enqueue of the next step is a duplicate and stores nothing.</li>
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
     * @param deduplicated    next-step enqueues refused as duplicates (a retried step enqueued again)
     * @param taskLatency     per task, enqueue to completion, in microseconds
     * @param orderLatency    per order, validate enqueued to its last step done, in microseconds
     * @param deadTasks       the dead set as stored, for this run's tasks
     * @param took            wall time from the first enqueue to the last order finished
     * @param brokerUrl       the store used
     * @param temporary       true when the store was a temp file (deleted after the run)
     */
    record Report(int orders, long ordersCompleted, Map<String, Integer> byQueue, long processed, long retried, long dead,
            long realCharges, long doubleCharged, long deduplicated, Histogram taskLatency, Histogram orderLatency,
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
            return p;
        }
    }

    private final int orders;
    private final int concurrency;
    private final String requestedBrokerUrl;
    private final String runTag;
    private final FakePaymentGateway gateway = new FakePaymentGateway();
    private final Map<String, Long> enqueuedNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> orderStartNanos = new ConcurrentHashMap<>();
    private final Map<String, Integer> stepsDone = new ConcurrentHashMap<>();
    private final Set<String> finishedOrders = ConcurrentHashMap.newKeySet();
    private final Set<String> runTaskIds = ConcurrentHashMap.newKeySet();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong completedOrders = new AtomicLong();
    private final AtomicLong deduplicated = new AtomicLong();
    private final Histogram taskLatency = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final Histogram orderLatency = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final CountDownLatch allFinished;
    private volatile Client client;

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
                client = ferry.client();
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
                        .filter(t -> runTaskIds.contains(t.id()))
                        .toList();
                return new Report(orders, completedOrders.get(), byQueue, processed.get(), retried.get(), dead.get(),
                        gateway.charges(), gateway.doubleCharged(), deduplicated.get(), taskLatency, orderLatency,
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
        List<Task> batch = new ArrayList<>();
        for (int n = 1; n <= orders; n++) {
            String orderId = String.format("ord-%s%04d", runTag, n);
            long cents = 500 + (n * 7919L) % 20_000;
            Order order = new Order(orderId, n, "customer-" + (n % 37), cents, n == poison ? CORRUPT_CARD : "tok_visa_" + (4000 + n));
            String queue = queueOf(order);
            byQueue.merge(queue, 1, Integer::sum);
            String id = stepId(VALIDATE, orderId);
            runTaskIds.add(id);
            long now = System.nanoTime();
            orderStartNanos.put(orderId, now);
            enqueuedNanos.put(id, now);
            batch.add(step(VALIDATE, order, queue, id));
            if (batch.size() == 100) {
                client.enqueueAll(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            client.enqueueAll(batch);
        }
        return byQueue;
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

    static String stepId(String type, String orderId) {
        return type.substring(type.indexOf('.') + 1) + "-" + orderId;
    }

    private static Task step(String type, Order order, String queue, String id) {
        return Task.of(type, order).queue(queue).priority(priorityOf(order)).id(id).maxAttempts(MAX_ATTEMPTS);
    }

    /** Enqueues the next step under its deterministic id; a repeat is a duplicate and stores nothing. */
    private void next(TaskContext ctx, String type, Order order) {
        String id = stepId(type, order.orderId());
        runTaskIds.add(id);
        enqueuedNanos.putIfAbsent(id, System.nanoTime());
        EnqueueResult r = client.enqueue(step(type, order, ctx.queue(), id));
        if (r.duplicate()) {
            deduplicated.incrementAndGet();
        }
    }

    private Object validate(Order order, TaskContext ctx) {
        if (order.cents() <= 0 || order.customer().isBlank()) {
            throw dev.ferry.TaskOutcome.fail("order " + order.orderId() + " has no amount or no customer");
        }
        next(ctx, CHARGE, order);
        return Map.of("orderId", order.orderId(), "status", "validated");
    }

    private Object charge(Order order, TaskContext ctx) throws Exception {
        if (order.card().startsWith(CORRUPT_CARD)) {
            throw new IllegalStateException("the gateway rejects the card token of " + order.orderId() + " (corrupt token)");
        }
        Receipt receipt = ctx.idempotent("charge:" + order.orderId(), Receipt.class, () -> gateway.charge(order));
        next(ctx, NOTIFY, order);
        if (order.number() % 3 == 0 && ctx.attempt() == 1) {
            // After the money moved and the next step was enqueued: the retry must do neither again.
            throw new GatewayTimeoutException("gateway timed out confirming " + receipt.paymentId() + " for " + order.orderId());
        }
        return receipt;
    }

    private Object notify(Order order, TaskContext ctx) {
        return Map.of("orderId", order.orderId(), "sent", "confirmation to " + order.customer());
    }

    private void onEvent(TaskEvent e) {
        switch (e.kind()) {
            case SUCCEEDED -> {
                processed.incrementAndGet();
                long now = System.nanoTime();
                Long t0 = enqueuedNanos.remove(e.taskId());
                if (t0 != null) {
                    record(taskLatency, now - t0);
                }
                // An order is done when both its charge and its notification succeeded: a flaky
                // charge enqueues the notification before it fails, so the notification can finish first.
                int bit = e.type().equals(CHARGE) ? 1 : e.type().equals(NOTIFY) ? 2 : 0;
                if (bit != 0) {
                    String orderId = orderIdOf(e.taskId());
                    if (stepsDone.merge(orderId, bit, (a, b) -> a | b) == 3 && finishedOrders.add(orderId)) {
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

    private static String orderIdOf(String taskId) {
        return taskId.substring(taskId.indexOf('-') + 1);
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
