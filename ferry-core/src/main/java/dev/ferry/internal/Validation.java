package dev.ferry.internal;

import dev.ferry.InvalidInputException;
import dev.ferry.TaskDefaults;
import java.time.Duration;
import java.util.regex.Pattern;

/** The rules for names and options, shared by the client, worker builder and CLI. */
public final class Validation {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]*");
    /** Longest queue name: queue names become key and index parts in every backend. */
    public static final int MAX_QUEUE_LENGTH = 100;
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_ATTEMPTS = 1_000;

    private Validation() {
    }

    public static String queue(String field, String queue) {
        return name(field, queue, MAX_QUEUE_LENGTH, "queue name");
    }

    public static String type(String field, String type) {
        return name(field, type, MAX_NAME_LENGTH, "task type");
    }

    public static String id(String field, String id) {
        return name(field, id, MAX_NAME_LENGTH, "id");
    }

    private static String name(String field, String value, int max, String what) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(field, "a " + what + " is required");
        }
        if (value.length() > max) {
            throw new InvalidInputException(field, what + " is longer than " + max + " characters");
        }
        if (!NAME.matcher(value).matches()) {
            throw new InvalidInputException(field, "'" + value + "' is not a valid " + what
                    + ": use letters, digits and . _ : - (starting with a letter or digit)");
        }
        return value;
    }

    /**
     * A key-like value (aggregation group, debounce key, flow-control key, tenant): 1 to
     * {@code maxLength} characters, not blank, no control characters.
     */
    public static String key(String field, String value, int maxLength) {
        if (value == null || value.isBlank() || value.length() > maxLength || value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException(field, "must be 1 to " + maxLength + " characters without control characters, was "
                    + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }

    public static int priority(String field, int priority) {
        if (priority < TaskDefaults.MIN_PRIORITY || priority > TaskDefaults.MAX_PRIORITY) {
            throw new InvalidInputException(field, "must be between " + TaskDefaults.MIN_PRIORITY + " and "
                    + TaskDefaults.MAX_PRIORITY + " (lower runs first), was " + priority);
        }
        return priority;
    }

    public static int maxAttempts(String field, int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
            throw new InvalidInputException(field, "must be between 1 and " + MAX_ATTEMPTS + ", was " + maxAttempts);
        }
        return maxAttempts;
    }

    public static Duration positive(String field, Duration d) {
        if (d == null) {
            throw new InvalidInputException(field, "is required");
        }
        if (d.isNegative() || d.isZero()) {
            throw new InvalidInputException(field, "must be positive, was " + d);
        }
        return d;
    }

    public static Duration nonNegative(String field, Duration d) {
        if (d == null) {
            throw new InvalidInputException(field, "is required");
        }
        if (d.isNegative()) {
            throw new InvalidInputException(field, "must not be negative, was " + d);
        }
        return d;
    }

    /** The UTF-8 length of a string without allocating its bytes. */
    public static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
