package dev.ferry;

/**
 * What became of one enqueued task.
 *
 * @param id         the id of the new task, or of the existing task that made this one a duplicate
 * @param status     created, or which rule made it a duplicate
 */
public record EnqueueResult(String id, Status status) {

    /** Created, or refused as a duplicate (nothing stored). */
    public enum Status {
        /** A new task was stored. */
        CREATED,
        /** A task with the same id exists; {@link #id()} is that task's id. */
        DUPLICATE_ID,
        /** A task holds the same unique key; {@link #id()} is that task's id. */
        DUPLICATE_UNIQUE_KEY
    }

    public boolean created() {
        return status == Status.CREATED;
    }

    public boolean duplicate() {
        return status != Status.CREATED;
    }
}
