package dev.ferry.server;

/**
 * What an authenticated caller of the {@link FerryServer} may do.
 *
 * <ul>
 *   <li>{@link #VIEWER}: read everything (dashboard pages, {@code GET} API routes, {@code /metrics});</li>
 *   <li>{@link #OPERATOR}: everything a viewer may, plus every mutation (enqueue, retry, cancel,
 *       delete, replay, pause, resume, purge, add and remove cron schedules).</li>
 * </ul>
 */
public enum Role {
    /** Reads only. */
    VIEWER,
    /** Reads and mutates. */
    OPERATOR;

    /** True when a caller with this role may use a route that requires {@code required}. */
    public boolean allows(Role required) {
        return this.ordinal() >= required.ordinal();
    }
}
