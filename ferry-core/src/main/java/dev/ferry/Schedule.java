package dev.ferry;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a recurring task fires: a {@link CronSchedule cron expression in a time zone} or a
 * {@link Every fixed rate}. Both are plain values, checked when they are made, so a schedule that
 * exists always has a next fire time.
 */
public sealed interface Schedule permits Schedule.CronSchedule, Schedule.Every {

    /** The first fire time strictly after {@code after}; null only past the end of representable time. */
    Instant next(Instant after);

    /**
     * The fire times in {@code (fromExclusive, toInclusive]}, earliest first, at most {@code max} of
     * them: what a scheduler that was down from {@code fromExclusive} to {@code toInclusive} missed.
     * A result of exactly {@code max} elements may have been cut short.
     */
    default List<Instant> between(Instant fromExclusive, Instant toInclusive, int max) {
        Objects.requireNonNull(fromExclusive, "fromExclusive");
        Objects.requireNonNull(toInclusive, "toInclusive");
        if (max < 0) {
            throw new InvalidInputException("max", "must not be negative, was " + max);
        }
        List<Instant> times = new ArrayList<>();
        Instant t = fromExclusive;
        while (times.size() < max) {
            t = next(t);
            if (t == null || t.isAfter(toInclusive)) {
                break;
            }
            times.add(t);
        }
        return times;
    }

    /**
     * A cron expression read in the named time zone.
     *
     * @throws InvalidInputException field {@code cron} for a bad expression, field {@code zone} for
     *                               an unknown time zone
     */
    static CronSchedule cron(String expression, String zoneId) {
        return new CronSchedule(Cron.parse(expression), zone(zoneId));
    }

    /** A cron expression read in UTC. */
    static CronSchedule cron(String expression) {
        return new CronSchedule(Cron.parse(expression), ZoneOffset.UTC);
    }

    /** Fires every {@code interval} (at least 1 s); see {@link Every} for where the beat falls. */
    static Every every(Duration interval) {
        return new Every(interval);
    }

    /**
     * Parses a schedule as a user writes it: {@code every 5m}, {@code every 1h30m},
     * {@code @every 10s} (units {@code d h m s}), or else a cron expression or macro read in
     * {@code zone}.
     *
     * @param zone a time zone id such as {@code Europe/Berlin}; null means UTC. A fixed rate does
     *             not use it, but it must still be a known zone.
     * @throws InvalidInputException field {@code every}, {@code cron} or {@code zone}, naming the problem
     */
    static Schedule parse(String spec, String zone) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidInputException("schedule", "must not be empty");
        }
        ZoneId zoneId = zone == null ? ZoneOffset.UTC : zone(zone);
        String text = spec.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        for (String prefix : new String[] {"@every", "every"}) {
            if (lower.startsWith(prefix) && (lower.length() == prefix.length()
                    || Character.isWhitespace(lower.charAt(prefix.length())))) {
                return new Every(Every.parseInterval(text.substring(prefix.length()).strip()));
            }
        }
        return new CronSchedule(Cron.parse(text), zoneId);
    }

    private static ZoneId zone(String zoneId) {
        if (zoneId == null || zoneId.isBlank()) {
            throw new InvalidInputException("zone", "must not be empty (Schedule.cron(expression) reads it in UTC)");
        }
        try {
            return ZoneId.of(zoneId.strip());
        } catch (DateTimeException e) {
            throw new InvalidInputException("zone", "unknown time zone '" + zoneId + "'");
        }
    }

    /** A {@link Cron} expression whose fields are wall-clock time in {@code zone}. */
    record CronSchedule(Cron cron, ZoneId zone) implements Schedule {
        public CronSchedule {
            Objects.requireNonNull(cron, "cron");
            Objects.requireNonNull(zone, "zone");
        }

        @Override
        public Instant next(Instant after) {
            return cron.next(after, zone);
        }
    }

    /**
     * A fixed rate. The beats are the whole multiples of {@code interval} since the Unix epoch
     * (1970-01-01T00:00Z), not counted from whenever the schedule was made: every node computes the
     * same fire times without sharing state, a restart does not shift the beat, and {@code every 1h}
     * fires on the hour (UTC).
     */
    record Every(Duration interval) implements Schedule {
        private static final Pattern PART = Pattern.compile("(\\d{1,9})\\s*([dhms])");

        public Every {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new InvalidInputException("every", "interval must be at least 1 s, was " + interval);
            }
        }

        @Override
        public Instant next(Instant after) {
            Objects.requireNonNull(after, "after");
            try {
                Duration sinceEpoch = Duration.between(Instant.EPOCH, after);
                // dividedBy truncates toward zero, so before 1970 the candidate may be one beat early or late.
                Instant beat = Instant.EPOCH.plus(interval.multipliedBy(sinceEpoch.dividedBy(interval)));
                while (!beat.isAfter(after)) {
                    beat = beat.plus(interval);
                }
                while (beat.minus(interval).isAfter(after)) {
                    beat = beat.minus(interval);
                }
                return beat;
            } catch (DateTimeException | ArithmeticException e) {
                return null;
            }
        }

        /** {@code 5m}, {@code 1h30m}, {@code 1d 12h}: one or more amounts with units d, h, m, s. */
        static Duration parseInterval(String text) {
            String compact = text.toLowerCase(Locale.ROOT).strip();
            Matcher m = PART.matcher(compact);
            Duration total = Duration.ZERO;
            int at = 0;
            while (at < compact.length()) {
                if (!m.find(at) || m.start() != at) {
                    throw new InvalidInputException("every", "cannot read the interval '" + text
                            + "': write amounts with units d, h, m or s, as in 'every 5m' or 'every 1h30m'");
                }
                long amount = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "d" -> Duration.ofDays(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofSeconds(amount);
                });
                at = m.end();
                while (at < compact.length() && Character.isWhitespace(compact.charAt(at))) {
                    at++;
                }
            }
            if (at == 0) {
                throw new InvalidInputException("every", "the interval is missing: write it as in 'every 5m' or 'every 1h30m'");
            }
            return total;
        }
    }
}
