package dev.ferry;

/**
 * The backend failed or could not be reached. {@link #isTransient()} tells whether trying
 * again later may succeed (connection lost, database busy) or not (schema missing, misconfigured).
 */
public class BrokerException extends FerryException {
    private final boolean transientFailure;

    public BrokerException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public BrokerException(String message, boolean transientFailure) {
        this(message, transientFailure, null);
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
