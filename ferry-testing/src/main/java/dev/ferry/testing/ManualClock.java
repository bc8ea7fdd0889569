package dev.ferry.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it. Hand it to a broker (for example
 * {@code new InMemoryBroker(clock)}) and use {@link #advance(Duration)} to make delays, leases and
 * retention deadlines pass without waiting. Thread-safe: workers may read it while the test moves it.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * Broker broker = new InMemoryBroker(clock);
 * // ... enqueue a task with a 10 s delay ...
 * clock.advance(Duration.ofSeconds(10));   // now it is due
 * }</pre>
 */
public final class ManualClock extends Clock {

    /** Where a clock made with {@link #ManualClock()} starts: 2030-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;

    /** A clock standing at {@link #DEFAULT_START}. */
    public ManualClock() {
        this(DEFAULT_START);
    }

    /**
     * A clock standing at the given instant.
     *
     * @param start the initial time
     */
    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    /**
     * Moves the clock forward.
     *
     * @param amount how far; zero is allowed, negative is not (use {@link #set(Instant)} to go back)
     * @return the new time
     * @throws IllegalArgumentException when {@code amount} is negative
     */
    public Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isNegative()) {
            throw new IllegalArgumentException("cannot advance by a negative amount: " + amount);
        }
        return now.updateAndGet(t -> t.plus(amount));
    }

    /**
     * Puts the clock at the given instant, forward or back.
     *
     * @param instant the new time
     */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    /** The current time of this clock. */
    @Override
    public Instant instant() {
        return now.get();
    }

    /** Always UTC. */
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /**
     * A view of this clock in another zone. It shares this clock's time, so advancing this clock
     * moves the view too.
     */
    @Override
    public Clock withZone(ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        if (zone.equals(ZoneOffset.UTC)) {
            return this;
        }
        ManualClock source = this;
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return zone;
            }

            @Override
            public Clock withZone(ZoneId other) {
                return source.withZone(other);
            }

            @Override
            public Instant instant() {
                return source.instant();
            }
        };
    }

    /** The clock's current time, for test failure messages. */
    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "]";
    }
}
