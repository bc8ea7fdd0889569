package dev.ferry;

import java.time.Instant;
import java.util.List;

/**
 * A worker as it last reported itself through its heartbeat.
 *
 * @param workerId      unique id of the worker instance
 * @param host          host name
 * @param pid           process id
 * @param queues        the queues it claims from
 * @param concurrency   its slots
 * @param busy          slots in use at the heartbeat
 * @param startedAt     when it started
 * @param lastHeartbeat when it last reported (broker time)
 */
public record WorkerInfo(
        String workerId,
        String host,
        long pid,
        List<String> queues,
        int concurrency,
        int busy,
        Instant startedAt,
        Instant lastHeartbeat) {

    public WorkerInfo {
        queues = List.copyOf(queues);
    }
}
