package dev.ferry.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as people type them: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 24h}, {@code 7d},
 * or ISO-8601 ({@code PT10S}, {@code P1D}). Shared by the options and by {@code enqueue --from}
 * lines so both accept exactly the same text.
 */
final class Durations {
    private static final Pattern SHORT = Pattern.compile("(-?\\d{1,15})(ms|s|m|h|d)");

    private Durations() {
    }

    /** Parses a duration; the message of the exception says what is accepted. */
    static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration is required: use 500ms, 10s, 5m, 24h, 7d or ISO-8601 such as PT10S");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            try {
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is too long a duration");
            }
        }
        if (t.startsWith("p") || t.startsWith("-p")) {
            try {
                return Duration.parse(text.trim());
            } catch (java.time.format.DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration: use 500ms, 10s, 5m, 24h, 7d or ISO-8601 such as PT10S");
    }

    /** A short human form: {@code 350ms}, {@code 12s}, {@code 5m 3s}, {@code 2h 10m}, {@code 3d 4h}. */
    static String format(Duration d) {
        if (d == null) {
            return "-";
        }
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = d.toSeconds();
        if (s < 60) {
            return ms % 1000 == 0 ? s + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        if (s < 3600) {
            return pair(s / 60, "m", s % 60, "s");
        }
        if (s < 86_400) {
            return pair(s / 3600, "h", s % 3600 / 60, "m");
        }
        return pair(s / 86_400, "d", s % 86_400 / 3600, "h");
    }

    private static String pair(long a, String ua, long b, String ub) {
        return b == 0 ? a + ua : a + ua + " " + b + ub;
    }

    /**
     * The picocli converter for duration options. Negative durations are refused here: no
     * duration option of the CLI has a meaning below zero, and picocli then names the option.
     */
    static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            if (d.isNegative()) {
                throw new TypeConversionException("must not be negative, was '" + value + "'");
            }
            return d;
        }
    }
}
