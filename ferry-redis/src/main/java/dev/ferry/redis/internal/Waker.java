package dev.ferry.redis.internal;

import dev.ferry.BrokerException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes idle workers within milliseconds of new work, without polling Redis in a loop.
 *
 * <p>Every script that makes work ready (enqueue, release, recovery, retry, snooze, promotion,
 * resume, replay) publishes on its queue's {@code wake} channel. This class holds one pub/sub
 * connection per broker, subscribed to the channels of the queues awaited so far (Lettuce restores
 * the subscriptions after a reconnect). A message bumps the queue's counter and marks it signalled;
 * {@link #awaitWork} returns true when a counter of its queues moved while it waited, or at once when
 * one of its queues was signalled since the last wait (a message that arrived between the caller's
 * empty claim and this wait is not lost). Pub/sub is fire-and-forget, so the caller's timeout (the
 * worker's poll interval) is the slow safety net for a message missed during a disconnection.
 */
public final class Waker implements AutoCloseable {
    private final RedisConnection redis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private final Map<String, Long> counts = new HashMap<>();
    private final Set<String> signalled = new HashSet<>();
    private final Set<String> subscribed = new HashSet<>();
    private final Map<String, String> channels = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.function.Function<String, String> channelOf;
    private StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;

    public Waker(RedisConnection redis, java.util.function.Function<String, String> channelOf) {
        this.redis = redis;
        this.channelOf = channelOf;
    }

    public boolean awaitWork(List<String> queues, Duration timeout) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long nanos = timeout == null ? 0 : timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        List<String> wanted = queues.stream().map(q -> channels.computeIfAbsent(q, channelOf)).toList();
        try {
            subscribe(wanted);
        } catch (BrokerException e) {
            // Redis is away: wait out the timeout (the caller claims afterwards and backs off on failure).
        }
        lock.lockInterruptibly();
        try {
            if (closed) {
                return false;
            }
            if (consume(wanted)) {
                return true;
            }
            long[] seen = new long[wanted.size()];
            for (int i = 0; i < seen.length; i++) {
                seen[i] = counts.getOrDefault(wanted.get(i), 0L);
            }
            while (!closed) {
                for (int i = 0; i < seen.length; i++) {
                    if (counts.getOrDefault(wanted.get(i), 0L) != seen[i]) {
                        consume(wanted);
                        return true;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                signal.awaitNanos(left);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private boolean consume(List<String> wanted) {
        boolean any = false;
        for (String c : wanted) {
            any |= signalled.remove(c);
        }
        return any;
    }

    private void subscribe(List<String> wanted) {
        String[] missing;
        StatefulRedisPubSubConnection<String, String> conn;
        synchronized (this) {
            if (closed) {
                return;
            }
            missing = wanted.stream().filter(c -> !subscribed.contains(c)).toArray(String[]::new);
            if (missing.length == 0) {
                return;
            }
            if (pubSub == null) {
                try {
                    pubSub = redis.connectPubSub();
                } catch (RuntimeException e) {
                    throw Errors.translate(e, "SUBSCRIBE", redis.where());
                }
                pubSub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        wake(channel);
                    }
                });
            }
            conn = pubSub;
        }
        redis.await(conn.async().subscribe(missing).toCompletableFuture(), "SUBSCRIBE");
        synchronized (this) {
            subscribed.addAll(List.of(missing));
        }
    }

    private void wake(String channel) {
        lock.lock();
        try {
            counts.merge(channel, 1L, Long::sum);
            signalled.add(channel);
            signal.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            signal.signalAll();
        } finally {
            lock.unlock();
        }
        StatefulRedisPubSubConnection<String, String> conn;
        synchronized (this) {
            closed = true;
            conn = pubSub;
            pubSub = null;
        }
        if (conn != null) {
            conn.closeAsync().toCompletableFuture().orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }
}
