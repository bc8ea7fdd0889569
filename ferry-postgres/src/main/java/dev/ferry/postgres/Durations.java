package dev.ferry.postgres;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Option values that are durations: {@code 200ms}, {@code 5s}, {@code 1m}, {@code 2h} or ISO-8601 ({@code PT5S}). */
final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Durations() {
    }

    static Duration parse(String option, String value) {
        Matcher m = SIMPLE.matcher(value.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("option '" + option + "': expected a duration such as 500ms, 5s or PT5S,"
                    + " got '" + value + "'");
        }
    }
}
