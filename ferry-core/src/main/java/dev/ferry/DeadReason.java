package dev.ferry;

/** Why a task landed in the dead set. */
public enum DeadReason {
    /** The handler failed and no attempts are left, or it failed without retry. */
    FAILED,
    /** Its lease expired too many times: it probably crashes or hangs its worker (a poison task). */
    POISON,
    /** Its payload could not be decoded, or no handler knows its type. */
    UNPROCESSABLE
}
