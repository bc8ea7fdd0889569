package dev.ferry.cli;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** ISO-8601 instants in and out: {@code 2030-01-01T09:00:00Z} or with an offset, {@code ...+02:00}. */
final class Instants {
    private static final DateTimeFormatter SHOW = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Instants() {
    }

    /** Parses an instant; a time without an offset is refused rather than guessed. */
    static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an ISO-8601 time is required, for example 2030-01-01T09:00:00Z");
        }
        String t = text.trim();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 time with a zone offset, "
                        + "for example 2030-01-01T09:00:00Z or 2030-01-01T11:00:00+02:00");
            }
        }
    }

    /** Seconds precision, UTC: the form tables show. */
    static String show(Instant instant) {
        return instant == null ? "-" : SHOW.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The picocli converter for time options. */
    static final class Converter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
