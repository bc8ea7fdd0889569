package dev.ferry.redis.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What every operation needs: the connection, the key names and the time source.
 *
 * @param redis the connection
 * @param keys  the key names of this prefix
 * @param clock null in production (scripts read the server's {@code TIME}); a test clock whose
 *              millis are passed to every script instead (the conformance suite's manual clock)
 */
public record Context(RedisConnection redis, Keys keys, Clock clock) {

    /** ARGV[1] of every script: '' for server time, or the test clock's millis. */
    public String now() {
        return clock == null ? "" : Long.toString(clock.millis());
    }

    public boolean cluster() {
        return redis.cluster();
    }

    /** Every known queue (enqueued to or paused), sorted by name. */
    public List<String> knownQueues() {
        return new ArrayList<>(new TreeSet<>(redis.await(redis.commands().smembers(keys.queues()), "SMEMBERS queues")));
    }

    /** The names as a mutable list (scripts take lists). */
    static List<String> list(String... values) {
        return new ArrayList<>(List.of(values));
    }
}
