package dev.ferry.server;

import dev.ferry.Inspector;
import dev.ferry.QueueStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Samples every queue's maintained counters at a fixed interval and keeps the last minutes of
 * them in memory: throughput is the growth of the processed total between two samples, and the
 * dashboard's charts (depth, throughput, latency) are drawn from the same samples. One
 * {@link Inspector#queues()} call per interval, whatever the number of stored tasks or viewers.
 */
final class StatsSampler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StatsSampler.class.getName());

    /** One queue at one instant. */
    record Point(long depth, long processedTotal, long failedTotal, double oldestPendingAgeSeconds) {
    }

    record Sample(Instant at, Map<String, Point> queues) {
    }

    /** Processed and failed attempts over a window, and the rate. */
    record Throughput(long windowSeconds, long processed, long failed, double perSecond) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("windowSeconds", windowSeconds);
            m.put("processed", processed);
            m.put("failed", failed);
            m.put("perSecond", Math.round(perSecond * 1000) / 1000.0);
            return m;
        }
    }

    private final Inspector inspector;
    private final Duration interval;
    private final Duration keep;
    private final Clock clock;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private Thread thread;

    StatsSampler(Inspector inspector, Duration interval, Duration keep, Clock clock) {
        this.inspector = inspector;
        this.interval = interval;
        this.keep = keep;
        this.clock = clock;
    }

    Duration interval() {
        return interval;
    }

    synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("ferry-server-sampler").start(this::loop);
        }
    }

    private void loop() {
        try {
            do {
                try {
                    sample();
                } catch (RuntimeException e) {
                    // a broker hiccup loses one sample, not the sampler
                    LOG.log(System.Logger.Level.DEBUG, "sampling queue stats failed: " + e, e);
                }
            } while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes one sample now. */
    void sample() {
        List<QueueStats> stats = inspector.queues();
        Instant now = clock.instant();
        Map<String, Point> points = new LinkedHashMap<>();
        for (QueueStats q : stats) {
            double age = q.oldestPendingAt() == null ? 0 : Math.max(0, Duration.between(q.oldestPendingAt(), now).toMillis()) / 1000.0;
            points.put(q.queue(), new Point(Json.depth(q), q.processedTotal(), q.failedTotal(), age));
        }
        synchronized (this) {
            samples.addLast(new Sample(now, points));
            Instant horizon = now.minus(keep);
            while (samples.size() > 2 && samples.peekFirst().at().isBefore(horizon)) {
                samples.removeFirst();
            }
        }
    }

    /** The throughput of {@code queue} over (at most) the last {@code window}. */
    synchronized Throughput throughput(String queue, Duration window) {
        if (samples.size() < 2) {
            return new Throughput(window.toSeconds(), 0, 0, 0);
        }
        Sample last = samples.peekLast();
        Instant from = last.at().minus(window);
        Sample first = null;
        for (Sample s : samples) {
            if (!s.at().isBefore(from)) {
                first = s;
                break;
            }
        }
        if (first == null || first == last) {
            // the window is shorter than one interval: use the last two samples
            Iterator<Sample> it = samples.descendingIterator();
            it.next();
            first = it.next();
        }
        Point a = first.queues().get(queue);
        Point b = last.queues().get(queue);
        if (b == null) {
            return new Throughput(window.toSeconds(), 0, 0, 0);
        }
        long processed = b.processedTotal() - (a == null ? 0 : a.processedTotal());
        long failed = b.failedTotal() - (a == null ? 0 : a.failedTotal());
        double seconds = Math.max(0.001, Duration.between(first.at(), last.at()).toMillis() / 1000.0);
        return new Throughput(window.toSeconds(), Math.max(0, processed), Math.max(0, failed), Math.max(0, processed) / seconds);
    }

    /**
     * The samples of the last {@code window} as chart series: for each queue its depth, processed
     * per second (between consecutive samples) and latency (age of the oldest pending task).
     */
    synchronized Map<String, Object> series(Duration window) {
        List<Sample> recent = new ArrayList<>();
        Instant from = samples.isEmpty() ? Instant.EPOCH : samples.peekLast().at().minus(window);
        for (Sample s : samples) {
            if (!s.at().isBefore(from)) {
                recent.add(s);
            }
        }
        TreeSet<String> names = new TreeSet<>();
        for (Sample s : recent) {
            names.addAll(s.queues().keySet());
        }
        List<Double> t = new ArrayList<>();
        Map<String, Map<String, List<Number>>> queues = new LinkedHashMap<>();
        for (String n : names) {
            Map<String, List<Number>> q = new LinkedHashMap<>();
            q.put("depth", new ArrayList<>());
            q.put("processedPerSecond", new ArrayList<>());
            q.put("latencySeconds", new ArrayList<>());
            queues.put(n, q);
        }
        Sample prev = null;
        for (Sample s : recent) {
            t.add(s.at().toEpochMilli() / 1000.0);
            for (String n : names) {
                Point p = s.queues().get(n);
                Point before = prev == null ? null : prev.queues().get(n);
                Map<String, List<Number>> q = queues.get(n);
                q.get("depth").add(p == null ? 0 : p.depth());
                double rate = 0;
                if (p != null && before != null) {
                    double seconds = Math.max(0.001, Duration.between(prev.at(), s.at()).toMillis() / 1000.0);
                    rate = Math.max(0, p.processedTotal() - before.processedTotal()) / seconds;
                }
                q.get("processedPerSecond").add(Math.round(rate * 100) / 100.0);
                q.get("latencySeconds").add(p == null ? 0 : p.oldestPendingAgeSeconds());
            }
            prev = s;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("intervalSeconds", interval.toMillis() / 1000.0);
        out.put("t", t);
        out.put("queues", queues);
        return out;
    }

    @Override
    public void close() {
        stop.countDown();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
