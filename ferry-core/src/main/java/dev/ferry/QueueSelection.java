package dev.ferry;

import dev.ferry.internal.Validation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which queues a worker claims from, and in which order.
 * <ul>
 *   <li>{@link #strict(String...)}: always the first queue that has work (lower ones may starve);</li>
 *   <li>{@link #weighted(Map)}: each claim starts from a queue drawn by weight, as asynq's
 *       {@code critical:6, default:3, low:1}: every queue gets its share, none starves.</li>
 * </ul>
 */
public final class QueueSelection {
    private final Map<String, Integer> weights;
    private final boolean strict;
    private final int totalWeight;

    private QueueSelection(Map<String, Integer> weights, boolean strict) {
        if (weights.isEmpty()) {
            throw new InvalidInputException("queues", "at least one queue is required");
        }
        weights.forEach((queue, weight) -> {
            Validation.queue("queues", queue);
            if (weight == null || weight < 1) {
                throw new InvalidInputException("queues", "weight of queue '" + queue + "' must be at least 1, was " + weight);
            }
        });
        this.weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        this.strict = strict;
        this.totalWeight = weights.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Strict priority: queues in the given order. */
    public static QueueSelection strict(String... queues) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String q : queues) {
            if (m.put(q, 1) != null) {
                throw new InvalidInputException("queues", "queue '" + q + "' is listed twice");
            }
        }
        return new QueueSelection(m, true);
    }

    /** Weighted: each claim's queue order is drawn by weight (insertion order of the map kept for display). */
    public static QueueSelection weighted(Map<String, Integer> weights) {
        return new QueueSelection(new LinkedHashMap<>(weights), false);
    }

    /**
     * Parses {@code "critical:6,default:3,low:1"} (weighted) or {@code "critical,default"} (strict).
     */
    public static QueueSelection parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidInputException("queues", "at least one queue is required");
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        boolean anyWeight = false;
        for (String part : spec.split(",")) {
            String p = part.trim();
            int colon = p.lastIndexOf(':');
            String name = p;
            int weight = 1;
            if (colon > 0) {
                anyWeight = true;
                name = p.substring(0, colon);
                try {
                    weight = Integer.parseInt(p.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException("queues", "weight of '" + name + "' is not a whole number: '" + p + "'");
                }
            }
            if (m.put(name, weight) != null) {
                throw new InvalidInputException("queues", "queue '" + name + "' is listed twice");
            }
        }
        return new QueueSelection(m, !anyWeight);
    }

    /** The queue names, in configured order. */
    public List<String> queues() {
        return List.copyOf(weights.keySet());
    }

    public boolean isStrict() {
        return strict;
    }

    public Map<String, Integer> weights() {
        return weights;
    }

    /** The order for one claim: fixed when strict; a weighted random permutation otherwise. */
    public List<String> claimOrder() {
        if (strict || weights.size() == 1) {
            return queues();
        }
        List<String> remaining = new ArrayList<>(weights.keySet());
        List<String> order = new ArrayList<>(remaining.size());
        int remainingWeight = totalWeight;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!remaining.isEmpty()) {
            int pick = random.nextInt(remainingWeight);
            for (int i = 0; i < remaining.size(); i++) {
                int w = weights.get(remaining.get(i));
                if (pick < w) {
                    order.add(remaining.remove(i));
                    remainingWeight -= w;
                    break;
                }
                pick -= w;
            }
        }
        return order;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        weights.forEach((q, w) -> sb.append(sb.isEmpty() ? "" : ",").append(q).append(strict ? "" : ":" + w));
        return sb.toString();
    }
}
