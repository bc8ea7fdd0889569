package dev.ferry;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A flow-control limit on a queue, enforced by the backend across every worker (not per worker).
 *
 * <ul>
 *   <li>{@link #rate(String, long, Duration) rate}: at most {@code limit} task starts per
 *       {@code per}, a token bucket whose {@link #burst(long) burst} defaults to {@code limit}.</li>
 *   <li>{@link #concurrency(String, int) concurrency}: at most {@code limit} tasks of the queue
 *       running at once, cluster-wide.</li>
 * </ul>
 * {@link #perKey()} applies the limit to each task key separately ({@link Task#key(String)}): "100
 * per minute per customer", or with {@code concurrency(queue, 1).perKey()} a mutex: at most one
 * task per order id running at a time. Tasks without a key are not limited by a per-key limit.
 *
 * <p>A task that is over a limit is not run: the worker gives it back to the backend to wait
 * there (snoozed until the next token, without counting an attempt), so it holds no worker
 * thread; the explainer ({@link Inspector#explain(String)}) says which limit holds it. Every
 * worker serving the queue must declare the same limits: the backend holds the counters, the
 * workers hold the definitions.
 *
 * <pre>{@code
 * ferry.worker().queues("emails")
 *      .limit(Limit.rate("emails", 100, Duration.ofMinutes(1)).perKey())   // per customer
 *      .limit(Limit.concurrency("emails", 20))                             // whole cluster
 *      .handle("email.send", Email.class, this::send)
 *      .start();
 * }</pre>
 *
 * @param queue  the queue limited
 * @param kind   rate or concurrency
 * @param limit  tokens per period (rate) or slots (concurrency)
 * @param per    the rate period; null for concurrency
 * @param burst  most tokens a rate bucket holds; 0 for concurrency
 * @param keyed  whether each task key has its own limit ({@link #perKey()})
 */
public record Limit(String queue, Kind kind, long limit, Duration per, long burst, boolean keyed) {
    private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** What a limit counts. */
    public enum Kind {
        /** Task starts per period. */
        RATE,
        /** Tasks running at once. */
        CONCURRENCY
    }

    /** Checks the limit; a bad one is an {@link InvalidInputException} naming the field. */
    public Limit {
        if (queue == null || !QUEUE.matcher(queue).matches()) {
            throw new InvalidInputException("limit.queue", "'" + queue + "' is not a queue name (letters, digits, . _ : -)");
        }
        Objects.requireNonNull(kind, "kind");
        if (limit < 1) {
            throw new InvalidInputException("limit.limit", "must be at least 1, was " + limit);
        }
        if (kind == Kind.RATE) {
            if (per == null || !per.isPositive() || per.toMillis() < 1) {
                throw new InvalidInputException("limit.per", "must be a positive duration of at least 1 ms, was " + per);
            }
            if (burst < 1) {
                throw new InvalidInputException("limit.burst", "must be at least 1, was " + burst);
            }
        } else if (limit > Integer.MAX_VALUE) {
            throw new InvalidInputException("limit.limit", "a concurrency limit must fit an int, was " + limit);
        }
    }

    /**
     * At most {@code limit} task starts of the queue per {@code per}, across all workers.
     *
     * @throws InvalidInputException for a limit below 1 or a period that is not positive
     */
    public static Limit rate(String queue, long limit, Duration per) {
        return new Limit(queue, Kind.RATE, limit, per, limit, false);
    }

    /**
     * At most {@code limit} tasks of the queue running at once, across all workers.
     *
     * @throws InvalidInputException for a limit below 1
     */
    public static Limit concurrency(String queue, int limit) {
        return new Limit(queue, Kind.CONCURRENCY, limit, null, 0, false);
    }

    /** The same limit, applied to each task key separately. */
    public Limit perKey() {
        return new Limit(queue, kind, limit, per, burst, true);
    }

    /**
     * The same rate limit with a bucket of {@code burst} tokens: how many starts may follow one
     * another at once after a quiet spell. Defaults to the limit.
     *
     * @throws InvalidInputException for a concurrency limit or a burst below 1
     */
    public Limit burst(long burst) {
        if (kind != Kind.RATE) {
            throw new InvalidInputException("limit.burst", "only a rate limit has a burst");
        }
        return new Limit(queue, kind, limit, per, burst, keyed);
    }

    /**
     * Parses the CLI form: {@code queue=100/1m} (rate), {@code queue=100/1m:burst=20},
     * {@code queue=5} (concurrency), with a leading {@code key:} for per key
     * ({@code key:emails=10/1m}, {@code key:orders=1}). Periods: {@code ms}, {@code s}, {@code m}, {@code h}.
     *
     * @throws InvalidInputException naming what is wrong
     */
    public static Limit parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("limit", "empty limit; expected queue=100/1m or queue=5");
        }
        String s = text.strip();
        boolean perKey = s.startsWith("key:");
        if (perKey) {
            s = s.substring(4);
        }
        int eq = s.indexOf('=');
        if (eq < 1) {
            throw new InvalidInputException("limit", "'" + text + "': expected queue=100/1m (rate) or queue=5 (concurrency)");
        }
        String queue = s.substring(0, eq);
        String value = s.substring(eq + 1);
        Limit limit;
        try {
            int slash = value.indexOf('/');
            if (slash < 0) {
                limit = concurrency(queue, Integer.parseInt(value));
            } else {
                String rest = value.substring(slash + 1);
                long burst = -1;
                int colon = rest.indexOf(":burst=");
                if (colon >= 0) {
                    burst = Long.parseLong(rest.substring(colon + 7));
                    rest = rest.substring(0, colon);
                }
                limit = rate(queue, Long.parseLong(value.substring(0, slash)), parsePeriod(rest, text));
                if (burst >= 0) {
                    limit = limit.burst(burst);
                }
            }
        } catch (NumberFormatException e) {
            throw new InvalidInputException("limit", "'" + text + "': not a number: " + e.getMessage());
        }
        return perKey ? limit.perKey() : limit;
    }

    private static Duration parsePeriod(String p, String text) {
        String digits = p.replaceAll("[a-z]+$", "");
        String unit = p.substring(digits.length());
        long n = digits.isEmpty() ? 1 : Long.parseLong(digits);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw new InvalidInputException("limit", "'" + text + "': unknown period '" + p + "'; use ms, s, m or h, e.g. 100/1m");
        };
    }

    /** The name of the bucket or semaphore in the backend, for a task with this key (or null). */
    public String permitName(String key) {
        String base = (kind == Kind.RATE ? "rate:" : "conc:") + queue;
        return keyed ? base + ":" + key : base;
    }

    /** Whether this limit applies to a task of its queue with this key (null when it has none). */
    public boolean appliesTo(String taskQueue, String key) {
        return queue.equals(taskQueue) && (!keyed || key != null);
    }

    @Override
    public String toString() {
        String v = kind == Kind.RATE ? limit + "/" + per + (burst != limit ? " burst " + burst : "") : String.valueOf(limit);
        return (keyed ? "key:" : "") + queue + "=" + v;
    }
}
