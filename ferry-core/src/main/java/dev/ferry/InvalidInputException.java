package dev.ferry;

import java.util.Objects;

/**
 * Bad input refused at the door: the {@link #field()} names what was wrong. Nothing was stored.
 */
public class InvalidInputException extends FerryException {
    private final String field;

    public InvalidInputException(String field, String problem) {
        super(field + ": " + problem);
        this.field = Objects.requireNonNull(field);
    }

    /** The name of the offending field or option, for example {@code queue} or {@code payload}. */
    public String field() {
        return field;
    }
}
