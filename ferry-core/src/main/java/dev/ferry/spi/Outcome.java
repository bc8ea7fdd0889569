package dev.ferry.spi;

import dev.ferry.DeadReason;
import dev.ferry.TaskError;
import java.time.Duration;

/** How an attempt ended: the closed set of transitions out of {@code ACTIVE}. */
public sealed interface Outcome {

    /** Success: the task is completed and kept with its result for its retention. */
    record Completed(String resultJson) implements Outcome {
    }

    /** A failed attempt with attempts left: retrying, eligible again after broker-now + delay. */
    record Retry(Duration delay, TaskError error) implements Outcome {
    }

    /** Not now: back to scheduled after broker-now + delay; the attempt is not counted. */
    record Snooze(Duration delay) implements Outcome {
    }

    /** Failed for good: into the dead set with the reason. */
    record Dead(DeadReason reason, TaskError error) implements Outcome {
    }

    /** Stopped because cancel was requested. */
    record Cancelled() implements Outcome {
    }
}
