package dev.ferry.internal;

import dev.ferry.TaskEvent;
import dev.ferry.TaskListener;
import dev.ferry.spi.ClaimedTask;
import java.time.Duration;
import java.util.List;

/** Delivers task events to the worker's listeners; a listener that throws is logged, never fatal. */
final class Events {
    private static final System.Logger LOG = System.getLogger("dev.ferry.worker");
    private final List<TaskListener> listeners;

    Events(List<TaskListener> listeners) {
        this.listeners = listeners;
    }

    void emit(TaskEvent.Kind kind, ClaimedTask task, Duration took, Throwable error) {
        if (listeners.isEmpty()) {
            return;
        }
        TaskEvent event = new TaskEvent(kind, task.id(), task.type(), task.queue(), task.attempt(), took, error);
        for (TaskListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "task listener failed on " + kind, e);
            }
        }
    }
}
