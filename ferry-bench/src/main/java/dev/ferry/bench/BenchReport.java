package dev.ferry.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one {@link Bench#run}. Rates are tasks per second, latencies milliseconds,
 * heap mebibytes (used heap after a full GC). The depth figures are null when the depth run was
 * not asked for.
 *
 * @param broker           the broker URL measured
 * @param backend          the broker's short name ({@code embedded}, ...)
 * @param tasks            tasks per throughput phase
 * @param concurrency      handler slots of the draining worker
 * @param producers        enqueuing threads
 * @param enqueuePerS      one-by-one {@code client.enqueue} from {@code producers} threads
 * @param enqueueBatchPerS {@code client.enqueueAll} in batches of {@value Bench#BATCH}
 * @param drainPerS        worker start until the last completion is acknowledged by the broker (with
 *                         depth: the median of {@value Bench#DEPTH_REPEATS} such drains)
 * @param latencyP50Ms     idle pickup latency (enqueue call start to handler start), median
 * @param latencyP99Ms     idle pickup latency, 99th percentile
 * @param latencyMaxMs     idle pickup latency, worst sample
 * @param latencySamples   samples behind the latency figures
 * @param heapEmptyMb      used heap after GC at the end of the drain on an otherwise empty store
 * @param depthDrainPerS   the same drain (median of {@value Bench#DEPTH_REPEATS}) with {@code depthPending}
 *                         tasks pending in other queues and {@code depthFinished} finished tasks
 *                         retained; null without depth
 * @param depthRatio       {@code depthDrainPerS / drainPerS}; null without depth
 * @param heapDepthMb      used heap after GC at the end of the depth drain; null without depth
 * @param depthPending     unfinished tasks in the store during the depth drain (0 without depth): pending
 *                         in other queues, or with {@code depthDelayed} delayed in the drained queues
 * @param depthFinished    finished tasks retained in the store during the depth drain (0 without depth)
 * @param javaVersion      the JVM that ran the bench
 * @param cpus             processors available to it
 * @param depthDelayed     the depth store's unfinished tasks were delayed (scheduled) ones in the drained
 *                         queues rather than pending ones in other queues
 */
public record BenchReport(
        String broker,
        String backend,
        int tasks,
        int concurrency,
        int producers,
        double enqueuePerS,
        double enqueueBatchPerS,
        double drainPerS,
        double latencyP50Ms,
        double latencyP99Ms,
        double latencyMaxMs,
        int latencySamples,
        double heapEmptyMb,
        Double depthDrainPerS,
        Double depthRatio,
        Double heapDepthMb,
        long depthPending,
        long depthFinished,
        String javaVersion,
        int cpus,
        boolean depthDelayed) {

    /** True when the depth figures were measured. */
    public boolean depthRan() {
        return depthDrainPerS != null;
    }

    /** The figures by JSON field name, in output order. */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker", broker);
        m.put("backend", backend);
        m.put("tasks", tasks);
        m.put("concurrency", concurrency);
        m.put("producers", producers);
        m.put("enqueue_per_s", round(enqueuePerS, 1));
        m.put("enqueue_batch_per_s", round(enqueueBatchPerS, 1));
        m.put("drain_per_s", round(drainPerS, 1));
        m.put("latency_p50_ms", round(latencyP50Ms, 3));
        m.put("latency_p99_ms", round(latencyP99Ms, 3));
        m.put("latency_max_ms", round(latencyMaxMs, 3));
        m.put("latency_samples", latencySamples);
        m.put("heap_empty_mb", round(heapEmptyMb, 1));
        if (depthRan()) {
            m.put("depth_drain_per_s", round(depthDrainPerS, 1));
            m.put("depth_ratio", round(depthRatio, 3));
            m.put("heap_depth_mb", round(heapDepthMb, 1));
            m.put(depthDelayed ? "depth_scheduled" : "depth_pending", depthPending);
            m.put("depth_finished", depthFinished);
        }
        m.put("java", javaVersion);
        m.put("cpus", cpus);
        return m;
    }

    /** One JSON object (no trailing newline). Numbers are finite; strings are escaped. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : fields().entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            quote(sb, e.getKey());
            sb.append(": ");
            Object v = e.getValue();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String s) {
                quote(sb, s);
            } else if (v instanceof Double d) {
                sb.append(Double.isFinite(d) ? formatNumber(d) : "null");
            } else {
                sb.append(v);
            }
        }
        return sb.append('}').toString();
    }

    /** A human-readable table with the embedded backend's targets beside the figures. */
    public String toTable() {
        boolean embedded = "embedded".equals(backend);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"metric", "value", embedded ? "target (embedded)" : ""});
        rows.add(new String[] {"enqueue, one by one (" + producers + " producers)", rate(enqueuePerS), embedded ? ">= 20,000/s" : ""});
        rows.add(new String[] {"enqueue, batches of " + Bench.BATCH, rate(enqueueBatchPerS), embedded ? ">= 100,000/s" : ""});
        rows.add(new String[] {"drain, " + concurrency + " slots", rate(drainPerS), embedded ? ">= 40,000/s" : ""});
        rows.add(new String[] {"idle pickup latency p50", ms(latencyP50Ms), ""});
        rows.add(new String[] {"idle pickup latency p99", ms(latencyP99Ms), embedded ? "<= 5 ms" : ""});
        rows.add(new String[] {"idle pickup latency max", ms(latencyMaxMs), ""});
        rows.add(new String[] {"heap after drain (after GC)", mb(heapEmptyMb), ""});
        if (depthRan()) {
            rows.add(new String[] {"drain at depth (" + count(depthPending)
                    + (depthDelayed ? " delayed in the drained queues, " : " pending elsewhere, ")
                    + count(depthFinished) + " finished)", rate(depthDrainPerS), ""});
            rows.add(new String[] {"depth / empty drain", String.format(Locale.ROOT, "%.3f", depthRatio), embedded ? ">= 0.85" : ""});
            rows.add(new String[] {"heap after depth drain (after GC)", mb(heapDepthMb), embedded ? "flat" : ""});
        }
        int[] width = new int[3];
        for (String[] r : rows) {
            for (int i = 0; i < 3; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Ferry bench: ").append(backend).append(" broker ").append(broker).append('\n');
        sb.append(count(tasks)).append(" tasks per phase, concurrency ").append(concurrency).append(", ")
                .append(producers).append(" producers, ").append(cpus).append(" CPUs, Java ").append(javaVersion)
                .append(", ").append(latencySamples).append(" latency samples\n");
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            sb.append(pad(row[0], width[0])).append("  ").append(padLeft(row[1], width[1]));
            if (!row[2].isEmpty() || r == 0) {
                sb.append("  ").append(row[2]);
            }
            sb.append('\n');
            if (r == 0) {
                sb.append("-".repeat(width[0] + width[1] + width[2] + 4)).append('\n');
            }
        }
        return sb.toString();
    }

    // ---- formatting ------------------------------------------------------------------------

    private static double round(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return v;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }

    private static String formatNumber(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d) + ".0";
        }
        return Double.toString(d);
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static String rate(double perS) {
        return String.format(Locale.ROOT, "%,.0f/s", perS);
    }

    private static String ms(double ms) {
        return String.format(Locale.ROOT, "%.3f ms", ms);
    }

    private static String mb(double mb) {
        return String.format(Locale.ROOT, "%.1f MiB", mb);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(w - s.length()) + s;
    }
}
