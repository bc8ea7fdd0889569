package dev.ferry.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.DeadReason;
import dev.ferry.QueueStats;
import dev.ferry.TaskError;
import dev.ferry.TaskState;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AdminCommand;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.NewTask;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.PromoteRequest;
import dev.ferry.spi.PruneRequest;
import dev.ferry.spi.RecoverRequest;
import dev.ferry.spi.ReleaseRequest;
import dev.ferry.testing.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KEDA's redis scaler reads a queue's ready count as {@code LLEN <prefix>:{<queue>}:ready}: after
 * every operation of a seeded random mix (enqueue now and later, with and without a tenant, claim,
 * release, every ack outcome, promote, lease recovery, admin retry, replay, cancel, delete, purge,
 * pause), that length equals
 * the queue's pending count, as the broker's stats and the pending index tell it. On the shared
 * standalone Redis here; {@link RedisClusterReadyListTest} runs the same on a 3-master cluster.
 */
class RedisReadyListTest {
    private static final List<String> QUEUES = List.of("emails", "reports");

    protected final ManualClock clock = new ManualClock();
    protected String prefix;
    private RedisBroker broker;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void redisIsUp() {
        RedisTestSupport.requireRedis();
    }

    @BeforeEach
    void open() {
        prefix = RedisTestSupport.newPrefix();
        broker = newBroker();
    }

    @AfterEach
    void close() {
        broker.close();
        closeRedis();
    }

    /** A broker under {@link #prefix} with {@link #clock}. */
    protected RedisBroker newBroker() {
        return RedisTestSupport.builder(prefix).clock(clock).build();
    }

    /** Plain commands on the server the broker uses. */
    protected RedisClusterCommands<String, String> redis() {
        if (connection == null) {
            client = RedisClient.create(RedisTestSupport.RESOURCES);
            connection = client.connect(RedisURI.create(RedisTestSupport.URL));
        }
        return connection.sync();
    }

    /** Closes what {@link #redis()} opened and deletes the prefix's keys. */
    protected void closeRedis() {
        if (connection != null) {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ZERO);
        }
        RedisTestSupport.deletePrefix(RedisTestSupport.URL, prefix);
    }

    @Test
    void theReadyListIsAsLongAsThePendingSetAfterEveryOperation() {
        Random random = new Random(20261125L);
        List<ClaimedTask> held = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int step = 0; step < 600; step++) {
            String queue = QUEUES.get(random.nextInt(QUEUES.size()));
            int op = random.nextInt(15);
            String did = switch (op) {
                case 0, 1, 2 -> {
                    List<NewTask> batch = new ArrayList<>();
                    for (int i = 0, n = 1 + random.nextInt(20); i < n; i++) {
                        String id = UUID.randomUUID().toString();
                        ids.add(id);
                        batch.add(task(id, QUEUES.get(random.nextInt(QUEUES.size())), random.nextInt(3),
                                random.nextInt(3) == 0 ? Duration.ofSeconds(1 + random.nextInt(10)) : Duration.ZERO,
                                random.nextBoolean() ? null : "tenant-" + random.nextInt(4)));
                    }
                    broker.enqueue(new EnqueueRequest(batch));
                    yield "enqueue " + batch.size();
                }
                case 3, 4 -> {
                    List<ClaimedTask> got = broker.claim(new ClaimRequest("w", List.of(queue, other(queue)),
                            1 + random.nextInt(8), Duration.ofSeconds(5))).tasks();
                    held.addAll(got);
                    yield "claim " + got.size();
                }
                case 5 -> {
                    List<ClaimedTask> some = take(held, random);
                    broker.release(new ReleaseRequest(some.stream().map(ClaimedTask::lease).toList()));
                    yield "release " + some.size();
                }
                case 6, 7 -> {
                    List<ClaimedTask> some = take(held, random);
                    List<Ack> acks = new ArrayList<>();
                    for (ClaimedTask t : some) {
                        TaskError error = new TaskError(t.attempt(), "boom", "failed", "", clock.instant());
                        acks.add(new Ack(t.lease(), switch (random.nextInt(5)) {
                            case 0 -> new Outcome.Completed("{}");
                            case 1 -> new Outcome.Retry(Duration.ofSeconds(random.nextInt(3)), error);
                            case 2 -> new Outcome.Snooze(Duration.ofSeconds(random.nextInt(3)));
                            case 3 -> new Outcome.Dead(DeadReason.FAILED, error);
                            default -> new Outcome.Cancelled();
                        }));
                    }
                    broker.ack(new AckRequest(acks));
                    yield "ack " + acks.size();
                }
                case 8 -> {
                    clock.advance(Duration.ofMillis(500 + random.nextInt(5000)));
                    yield "promote " + broker.promote(new PromoteRequest(1 + random.nextInt(50))).promoted();
                }
                case 9 -> {
                    clock.advance(Duration.ofSeconds(6)); // every lease handed out so far has expired
                    held.clear();
                    yield "recover " + broker.recoverExpired(new RecoverRequest(3, 100)).requeued();
                }
                case 10 -> {
                    long n = 0;
                    for (int i = 0; i < 5 && !ids.isEmpty(); i++) {
                        n += broker.admin(new AdminCommand.Retry(ids.get(random.nextInt(ids.size())))).affected();
                    }
                    yield "retry " + n + ", replay " + broker.admin(new AdminCommand.ReplayDead(queue)).affected();
                }
                case 11 -> {
                    long n = 0;
                    for (int i = 0; i < 5 && !ids.isEmpty(); i++) {
                        n += broker.admin(new AdminCommand.Cancel(ids.get(random.nextInt(ids.size())))).affected();
                    }
                    yield "cancel " + n;
                }
                case 12 -> {
                    long n = 0;
                    for (int i = 0; i < 3 && !ids.isEmpty(); i++) {
                        n += broker.admin(new AdminCommand.Delete(ids.remove(random.nextInt(ids.size())))).affected();
                    }
                    yield "delete " + n;
                }
                case 13 -> {
                    Set<TaskState> states = random.nextBoolean() ? Set.of(TaskState.PENDING) : Set.of(TaskState.SCHEDULED, TaskState.DEAD);
                    yield "purge " + states + " " + broker.admin(new AdminCommand.Purge(queue, states)).affected();
                }
                default -> {
                    broker.admin(random.nextBoolean() ? new AdminCommand.Pause(queue) : new AdminCommand.Resume(queue));
                    broker.prune(new PruneRequest(100));
                    yield "pause/resume and prune";
                }
            };
            assertReadyMatchesPending("step " + step + " (" + did + ")");
        }
        long pending = broker.stats(QUEUES).stream().mapToLong(s -> s.counts().get(TaskState.PENDING)).sum();
        assertThat(pending).as("the mix left some work pending, so the check was not vacuous").isPositive();
    }

    @Test
    void aMissingReadyListIsRebuiltAtTheNextClaim() {
        List<NewTask> batch = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            batch.add(task(UUID.randomUUID().toString(), "emails", 0, Duration.ZERO, null));
        }
        broker.enqueue(new EnqueueRequest(batch));
        redis().del(broker.readyKey("emails")); // as after an upgrade from a Ferry without the list

        broker.claim(new ClaimRequest("w", List.of("emails"), 10, Duration.ofSeconds(5)));

        assertThat(redis().llen(broker.readyKey("emails"))).isEqualTo(1490);
    }

    private void assertReadyMatchesPending(String when) {
        Map<String, QueueStats> stats = new java.util.HashMap<>();
        broker.stats(QUEUES).forEach(s -> stats.put(s.queue(), s));
        for (String q : QUEUES) {
            long zcard = redis().zcard(prefix + ":{" + q + "}:pending");
            long llen = redis().llen(broker.readyKey(q));
            long pending = stats.containsKey(q) ? stats.get(q).counts().get(TaskState.PENDING) : 0;
            assertThat(llen).as("LLEN ready of %s after %s", q, when).isEqualTo(zcard).isEqualTo(pending);
        }
    }

    private static List<ClaimedTask> take(List<ClaimedTask> held, Random random) {
        List<ClaimedTask> some = new ArrayList<>();
        for (int i = 0, n = random.nextInt(5); i < n && !held.isEmpty(); i++) {
            some.add(held.remove(random.nextInt(held.size())));
        }
        return some;
    }

    private static String other(String queue) {
        return queue.equals(QUEUES.get(0)) ? QUEUES.get(1) : QUEUES.get(0);
    }

    private static NewTask task(String id, String queue, int priority, Duration delay, String tenant) {
        return new NewTask(id, queue, "demo.echo", "{}", priority, delay, null, 3, Duration.ofMinutes(1), null, null,
                Duration.ofHours(1), Duration.ofDays(7), tenant == null ? Map.of() : Map.of(dev.ferry.Task.TENANT_HEADER, tenant));
    }
}
