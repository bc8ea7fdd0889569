package dev.ferry.testing.crash;

import dev.ferry.Brokers;
import dev.ferry.Ferry;
import dev.ferry.TaskEvent;
import dev.ferry.Worker;
import dev.ferry.spi.Broker;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker process of the crash tests: one {@link Worker} on the store named by a broker URL, as an
 * application would run it. Arguments are {@code key=value}:
 * <ul>
 *   <li>{@code broker} — the broker URL; {@code ledger} — a directory for this process's ledger;</li>
 *   <li>{@code queue}, {@code concurrency}, {@code prefetch}, {@code leaseMs}, {@code graceMs},
 *       {@code pollMs}, {@code maxLeaseExpirations}, {@code slowMs}.</li>
 * </ul>
 * The handler of {@value #TYPE} works for the payload's {@code workMillis} (an interruptible sleep:
 * this is the simulated workload), then appends {@code taskId attempt pid} to
 * {@code <ledger>/<pid>.log} and returns. The line is written with one {@code write(2)} on an
 * {@code O_APPEND} file: nothing is buffered in the process, so a SIGKILL loses no written line
 * (and cannot tear one — a partial last line would be ignored by the reader anyway). No fsync:
 * the file must survive the process, not the machine.
 *
 * <p>Protocol on stdout: {@code READY <pid> <workerId>} once the worker started,
 * {@code RELEASED <taskId> <attempt>} and {@code LEASE_LOST <taskId> <attempt>} for those events,
 * {@code CLOSED} after a graceful close. On stderr, {@code SLOW broker.<call> <ms> ms on <thread>}
 * for broker calls slower than {@code slowMs} (default 250) and {@code STALL} when the whole
 * process was not scheduled that long: the evidence when a live worker loses a lease. A shutdown hook closes Ferry (and so the worker,
 * gracefully, with the configured grace). A SIGTERM'd JVM otherwise exits with status 143, so
 * after a successful close the hook halts with 0 (and with 70 when closing failed): the exit
 * status then says whether the drain worked. The process also dies when its parent (the test
 * JVM) does, so a crashed test run leaves no orphan.
 */
public final class CrashWorkerMain {
    public static final String TYPE = "crash.work";

    /** The payload: a sequence number and how long the handler works. */
    public record Work(int seq, int workMillis) {
    }

    private CrashWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("expected key=value, got " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        long pid = ProcessHandle.current().pid();
        ProcessHandle.current().parent().ifPresent(parent ->
                parent.onExit().thenRun(() -> Runtime.getRuntime().halt(99)));

        PrintStream out = System.out;
        Path ledgerFile = Path.of(req(opts, "ledger")).resolve(pid + ".log");
        // A FileOutputStream, not a FileChannel: an interrupt (shutdown releasing a task) must not
        // close the ledger for every other handler, as it would an InterruptibleChannel.
        FileOutputStream ledger = new FileOutputStream(ledgerFile.toFile(), true);
        ReentrantLock ledgerLock = new ReentrantLock();

        // The broker opened from its URL (as Ferry.open does), behind a pass-through proxy that
        // reports slow calls on stderr: when a live worker loses a lease, this says whether a broker
        // call (on which thread) or the whole process (STALL) was slow.
        Broker opened = Brokers.open(req(opts, "broker"));
        Broker broker = traced(opened, Long.parseLong(opts.getOrDefault("slowMs", "250")));
        startStallWatch(Long.parseLong(opts.getOrDefault("slowMs", "250")));
        Ferry ferry = Ferry.builder().broker(broker).build();
        String workerId = "w-" + pid;
        Worker worker = ferry.worker()
                .workerId(workerId)
                .queues(opts.getOrDefault("queue", "crash"))
                .concurrency(Integer.parseInt(opts.getOrDefault("concurrency", "4")))
                .prefetch(Integer.parseInt(opts.getOrDefault("prefetch", "0")))
                .lease(Duration.ofMillis(Long.parseLong(opts.getOrDefault("leaseMs", "1000"))))
                .pollInterval(Duration.ofMillis(Long.parseLong(opts.getOrDefault("pollMs", "100"))))
                .shutdownGrace(Duration.ofMillis(Long.parseLong(opts.getOrDefault("graceMs", "1000"))))
                .maxLeaseExpirations(Integer.parseInt(opts.getOrDefault("maxLeaseExpirations", "100")))
                .listener(e -> {
                    if (e.kind() == TaskEvent.Kind.RELEASED || e.kind() == TaskEvent.Kind.LEASE_LOST) {
                        synchronized (out) {
                            out.println(e.kind() + " " + e.taskId() + " " + e.attempt());
                            out.flush();
                        }
                    }
                })
                .handle(TYPE, Work.class, (work, ctx) -> {
                    Thread.sleep(work.workMillis()); // the simulated workload; an interrupt means stop
                    if (ctx.isCancelled()) {
                        throw new InterruptedException("stopped before recording");
                    }
                    byte[] line = (ctx.id() + " " + ctx.attempt() + " " + pid + "\n").getBytes(StandardCharsets.UTF_8);
                    ledgerLock.lock();
                    try {
                        ledger.write(line); // one write(2), O_APPEND, no buffer in this process
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        ledgerLock.unlock();
                    }
                    return null;
                })
                .build();

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int status = 0;
            try {
                ferry.close(); // stops the worker gracefully (grace period)
                opened.close();
                ledger.close();
                synchronized (out) {
                    out.println("CLOSED");
                    out.flush();
                }
            } catch (Throwable t) {
                t.printStackTrace();
                status = 70;
            }
            closed.countDown();
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }, "crash-worker-shutdown"));

        worker.start();
        synchronized (out) {
            out.println("READY " + pid + " " + workerId);
            out.flush();
        }
        closed.await(); // runs until signalled
    }

    /** A pass-through broker that logs every call slower than {@code slowMs} with its thread. */
    private static Broker traced(Broker broker, long slowMs) {
        InvocationHandler h = (proxy, method, args) -> {
            long t0 = System.nanoTime();
            try {
                return method.invoke(broker, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms >= slowMs && !method.getName().equals("awaitWork")) {
                    System.err.println(Instant.now() + " SLOW broker." + method.getName() + " " + ms + " ms on "
                            + Thread.currentThread().getName());
                }
            }
        };
        return (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class}, h);
    }

    /** Logs when this process did not get scheduled for {@code slowMs} (CPU starvation, GC, safepoints). */
    private static void startStallWatch(long slowMs) {
        Thread.ofPlatform().daemon().name("crash-stall-watch").start(() -> {
            long last = System.nanoTime();
            while (true) {
                LockSupport.parkNanos(20_000_000L);
                long now = System.nanoTime();
                long late = (now - last) / 1_000_000 - 20;
                if (late >= slowMs) {
                    System.err.println(Instant.now() + " STALL process not scheduled for " + late + " ms");
                }
                last = now;
            }
        });
    }

    private static String req(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key + "=...");
        }
        return v;
    }
}
