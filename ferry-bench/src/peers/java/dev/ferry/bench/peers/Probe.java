package dev.ferry.bench.peers;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a bench job does: counts itself and, while the latency phase runs, records when it started.
 * Static, because the peers find their handlers by class and method name.
 */
public final class Probe {
    static final AtomicLong RAN = new AtomicLong();
    static volatile AtomicLongArray startedAt;

    private Probe() {
    }

    /** The job body: a no-op that leaves a trace. */
    public static void ran(long n) {
        AtomicLongArray times = startedAt;
        if (times != null && n >= 0 && n < times.length()) {
            times.compareAndSet((int) n, 0, System.nanoTime());
        }
        RAN.incrementAndGet();
    }
}
