package dev.ferry.examples;

import dev.ferry.Ferry;
import dev.ferry.QueueSelection;
import dev.ferry.Task;
import dev.ferry.TaskState;
import dev.ferry.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The README's example, runnable: enqueue invoices on an embedded store, run a worker that sends
 * each one exactly once (the idempotency helper), wait for them, print what happened.
 *
 * <pre>java -cp ... dev.ferry.examples.QuickStart [path/to/ferry.db]</pre>
 */
public final class QuickStart {

    /** The payload: a record, encoded as JSON. The task type names it on the wire, never the class. */
    public record SendInvoice(String orderId, String email) {
    }

    /** A stand-in mail service that remembers what it sent. */
    public static final class Mailer {
        final Map<String, Integer> sent = new ConcurrentHashMap<>();

        String send(SendInvoice invoice) {
            sent.merge(invoice.orderId(), 1, Integer::sum);
            return "msg-" + invoice.orderId();
        }
    }

    public static void main(String[] args) throws Exception {
        Path db = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ferry-quickstart").resolve("ferry.db");
        Mailer mailer = new Mailer();
        System.out.println(run(db, mailer, 10));
    }

    /** Runs the example on {@code db}; returns a one-line summary. */
    public static String run(Path db, Mailer mailer, int orders) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(orders);
        try (Ferry ferry = Ferry.open("sqlite:" + db)) {
            for (int i = 1; i <= orders; i++) {
                String orderId = "ord-" + i;
                ferry.client().enqueue(Task.of("invoice.send", new SendInvoice(orderId, "buyer" + i + "@example.com"))
                        .queue(i % 5 == 0 ? "critical" : "default")
                        .priority(i % 5 == 0 ? 1 : 50)
                        .maxAttempts(5)
                        .unique("invoice:" + orderId, Duration.ofHours(24)));
            }
            Worker worker = ferry.worker()
                    .queues(QueueSelection.weighted(Map.of("critical", 6, "default", 3, "low", 1)))
                    .concurrency(20)
                    .handle("invoice.send", SendInvoice.class, (invoice, ctx) -> {
                        String messageId = ctx.idempotent("invoice:" + invoice.orderId(), String.class,
                                () -> mailer.send(invoice));
                        done.countDown();
                        return messageId;
                    })
                    .start();
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("invoices were not sent within 30 s");
            }
            worker.close();
            long completed = ferry.inspector().queues().stream().mapToLong(q -> q.count(TaskState.COMPLETED)).sum();
            return "sent " + mailer.sent.size() + " invoices, " + completed + " tasks completed";
        }
    }

    private QuickStart() {
    }
}
