package dev.ferry.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * One flow-control operation, applied atomically by the broker against state that every worker
 * shares: a token bucket (rate limits) or a counting semaphore with expiring holders
 * (concurrency limits and per-key mutexes). The core validates names and numbers before a broker
 * sees them. Exact semantics: {@code docs/spi.md}, "permits".
 */
public sealed interface PermitOp {

    /** The bucket or semaphore this operation is about. */
    String name();

    /**
     * Take one token from the bucket {@code name}, which refills continuously at {@code limit}
     * tokens per {@code per} up to {@code burst} tokens. A bucket never seen (or expired) is full.
     * Granted when at least one whole token is there; otherwise denied with the instant the next
     * whole token will be there.
     *
     * @param name  bucket name
     * @param limit tokens added per {@code per} (at least 1)
     * @param per   refill period (positive)
     * @param burst most tokens the bucket holds (at least 1)
     */
    record Take(String name, long limit, Duration per, long burst) implements PermitOp {
        public Take {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(per, "per");
            if (limit < 1 || burst < 1 || !per.isPositive()) {
                throw new IllegalArgumentException("limit, burst and per must be positive");
            }
        }
    }

    /**
     * Hold one of the {@code limit} slots of semaphore {@code name} as {@code holder} until
     * broker-now + {@code ttl}. Holders whose time ended no longer count. A holder that already
     * holds a slot extends it (granted). Otherwise granted when fewer than {@code limit} live
     * holders remain; denied with the earliest expiry among the live holders.
     *
     * @param name   semaphore name
     * @param limit  slots (at least 1)
     * @param holder who holds the slot (a task id and lease token)
     * @param ttl    how long the slot is held unless acquired again or released
     */
    record Acquire(String name, int limit, String holder, Duration ttl) implements PermitOp {
        public Acquire {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(holder, "holder");
            Objects.requireNonNull(ttl, "ttl");
            if (limit < 1 || !ttl.isPositive()) {
                throw new IllegalArgumentException("limit and ttl must be positive");
            }
        }
    }

    /**
     * Give up {@code holder}'s slot of semaphore {@code name}; granted when it held a live slot.
     *
     * @param name   semaphore name
     * @param holder the holder given to {@link Acquire}
     */
    record Release(String name, String holder) implements PermitOp {
        public Release {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(holder, "holder");
        }
    }
}
