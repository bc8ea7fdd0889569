package dev.ferry;

/**
 * The one unchecked root of every error Ferry throws. Backend exceptions are translated into
 * subclasses at the adapter and never cross the SPI as their own types.
 */
public class FerryException extends RuntimeException {
    public FerryException(String message) {
        super(message);
    }

    public FerryException(String message, Throwable cause) {
        super(message, cause);
    }
}
