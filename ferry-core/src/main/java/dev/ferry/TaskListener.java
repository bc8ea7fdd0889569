package dev.ferry;

/**
 * Receives {@link TaskEvent}s from a worker. Called on the task's own thread (or the worker's
 * background threads for LEASE_LOST and RELEASED); must be quick and must not throw.
 */
@FunctionalInterface
public interface TaskListener {
    void onEvent(TaskEvent event);
}
