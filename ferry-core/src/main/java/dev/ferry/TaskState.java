package dev.ferry;

/**
 * Where a task is in its lifecycle.
 *
 * <pre>
 * enqueue ─> SCHEDULED ─(due)─> PENDING ─(claim)─> ACTIVE ─(ok)─> COMPLETED ─(retention)─> gone
 *                ▲                 ▲                  │
 *                └── RETRYING <────┼──(error, attempts left)
 *                                  └──(lease expired / released)
 *                                                     ├──(no attempts left / non-retryable)─> DEAD ─(replay)─> PENDING
 *                                                     └──(cancel)─> CANCELLED
 * </pre>
 */
public enum TaskState {
    /** Waiting for its run-at time (delayed). */
    SCHEDULED,
    /** Ready to be claimed by a worker. */
    PENDING,
    /** Held by a worker under a lease. */
    ACTIVE,
    /** Failed an attempt; waits for its backoff to end, then becomes pending again. */
    RETRYING,
    /** Waiting for other tasks (workflow parents) to finish. */
    WAITING,
    /** Finished successfully; kept until its retention ends. */
    COMPLETED,
    /** Failed for good (attempts exhausted, non-retryable, undecodable or poison); can be replayed. */
    DEAD,
    /** Cancelled before it finished. */
    CANCELLED;

    /** True for states a task never leaves by itself (completed, dead, cancelled). */
    public boolean isFinished() {
        return this == COMPLETED || this == DEAD || this == CANCELLED;
    }

    /** Parses a state name case-insensitively, with an error naming the valid values. */
    public static TaskState parse(String name) {
        for (TaskState s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new InvalidInputException("state", "unknown task state '" + name + "'; expected one of "
                + java.util.Arrays.toString(values()).toLowerCase(java.util.Locale.ROOT));
    }
}
