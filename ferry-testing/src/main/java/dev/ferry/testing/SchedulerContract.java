package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.CronScheduler;
import dev.ferry.CronSchedules;
import dev.ferry.StoredSchedule;
import dev.ferry.CronScheduler.Round;
import dev.ferry.Ferry;
import dev.ferry.InvalidInputException;
import dev.ferry.MisfirePolicy;
import dev.ferry.OverlapPolicy;
import dev.ferry.Schedule;
import dev.ferry.ScheduledTask;
import dev.ferry.Task;
import dev.ferry.TaskDefaults;
import dev.ferry.TaskInfo;
import dev.ferry.TaskState;
import dev.ferry.spi.Ack;
import dev.ferry.spi.AckRequest;
import dev.ferry.spi.AckResponse;
import dev.ferry.spi.Broker;
import dev.ferry.spi.ForwardingBroker;
import dev.ferry.spi.ClaimRequest;
import dev.ferry.spi.ClaimedTask;
import dev.ferry.spi.EnqueueRequest;
import dev.ferry.spi.EnqueueResponse;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.ListRequest;
import dev.ferry.spi.Outcome;
import dev.ferry.spi.TaskPage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The promises of the {@link CronScheduler} on a real backend: every tick of every schedule fires
 * exactly once however many schedulers run, including across leader changes (a crash, a close, a
 * deposed leader that wakes up mid-round); the misfire policies after a downtime; the overlap policy;
 * bad input refused with nothing started. See {@code docs/scheduling.md}.
 *
 * <p>A backend proves them by extending this class with one method:
 * <pre>{@code
 * class MySchedulerTest extends SchedulerContract {
 *     protected Broker newBroker(ManualClock clock) { return new MyBroker(clock); }
 * }
 * }</pre>
 *
 * <p>Time is a {@link ManualClock} shared by the broker and the schedulers, which the tests drive
 * round by round with {@link CronScheduler#tick()}: nothing sleeps. Each "process" is a scheduler
 * with its own {@link Ferry} on the same broker. "Exactly once" is checked three ways: the ids the
 * rounds report as created (no id twice across all schedulers), the tasks stored (exactly the
 * ticks of {@link Schedule#between}, each with {@code runAt} = its tick), and at most one leader
 * per instant. The only real-time waits are bounded ones for a thread that must finish.
 */
public abstract class SchedulerContract {
    /** The tick interval of most tests' schedulers; their lease is three of it. */
    protected static final Duration TICK = Duration.ofSeconds(10);
    /** The leader lease that {@link #TICK} gives. */
    protected static final Duration LEASE_TTL = TICK.multipliedBy(3);
    /** The most a test waits in real time for a thread (generous for slow CI machines). */
    protected static final Duration ASYNC_BOUND = Duration.ofSeconds(30);
    /** The queue the scheduled tasks go to. */
    protected static final String QUEUE = "cron";
    /** Where the clock starts: 7 s past a minute, so no tick falls on the first round. */
    protected static final Instant START = ManualClock.DEFAULT_START.plusSeconds(7);

    private static final Schedule MINUTELY = Schedule.every(Duration.ofMinutes(1));

    /** The payload of the scheduled tasks. */
    public record Beat(String name) {
    }

    /** This test's clock, shared by the broker and every scheduler. */
    protected ManualClock clock;
    /** This test's broker, fresh and empty. */
    protected Broker broker;
    private final List<Ferry> ferries = new ArrayList<>();

    /**
     * Makes the broker under test: a fresh, empty store isolated from every other test, whose time
     * is {@code clock}.
     *
     * @param clock the clock the broker must use for leases, due times and retention
     * @return the broker
     */
    protected abstract Broker newBroker(ManualClock clock);

    /**
     * Disposes of a broker made by {@link #newBroker} after its test. Closes it by default.
     *
     * @param b the broker to dispose of
     */
    protected void closeBroker(Broker b) {
        b.close();
    }

    /** Opens this test's clock and broker. */
    @BeforeEach
    final void openSchedulerContract() {
        clock = new ManualClock(START);
        broker = newBroker(clock);
    }

    /** Closes every Ferry (and so every scheduler) of the test, then the broker. */
    @AfterEach
    final void closeSchedulerContract() {
        for (Ferry f : ferries) {
            f.close();
        }
        ferries.clear();
        if (broker != null) {
            closeBroker(broker);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** A Ferry on the given broker, closed after the test: one per scheduler "process". */
    protected Ferry ferry(Broker b) {
        Ferry f = Ferry.builder().broker(b).build();
        ferries.add(f);
        return f;
    }

    /** A scheduler builder on its own Ferry over this test's broker, on the manual clock. */
    protected CronScheduler.Builder scheduler(String id) {
        return scheduler(id, broker);
    }

    /** A scheduler builder on its own Ferry over {@code b}, on the manual clock. */
    protected CronScheduler.Builder scheduler(String id, Broker b) {
        return ferry(b).scheduler().clock(clock).tickInterval(TICK).schedulerId(id);
    }

    /** The task a test schedule enqueues. */
    protected static Task beat(String name) {
        return Task.of("cron.beat", new Beat(name)).queue(QUEUE);
    }

    /** An instant on the clock's first day, {@code hh:mm:ss} UTC. */
    protected static Instant at(String time) {
        return Instant.parse("2030-01-01T" + time + "Z");
    }

    /** The task ids (in tick order) and ticks of a schedule in {@code (from, to]}. */
    protected static Map<String, Instant> ticks(String name, Schedule schedule, Instant from, Instant to) {
        Map<String, Instant> out = new LinkedHashMap<>();
        for (Instant t : schedule.between(from, to, 1_000_000)) {
            out.put(CronScheduler.taskId(name, t), t);
        }
        return out;
    }

    /** Every task stored, in any state, by id. */
    protected Map<String, TaskInfo> stored() {
        Map<String, TaskInfo> all = new HashMap<>();
        for (TaskState state : TaskState.values()) {
            int offset = 0;
            while (true) {
                TaskPage page = broker.list(new ListRequest(null, state, offset, 1000));
                for (TaskInfo t : page.tasks()) {
                    assertThat(all.put(t.id(), t)).as("task %s listed twice", t.id()).isNull();
                }
                if (!page.hasMore()) {
                    break;
                }
                offset += page.tasks().size();
            }
        }
        return all;
    }

    /** The stored tasks are exactly {@code expected} (id to tick), each due at its tick. */
    protected void assertStoredExactly(Map<String, Instant> expected) {
        Map<String, TaskInfo> stored = stored();
        assertThat(stored.keySet()).as("stored task ids").containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Instant> e : expected.entrySet()) {
            assertThat(stored.get(e.getKey()).runAt()).as("runAt of %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    /** The ids all these rounds created, asserting that none was created twice. */
    protected static List<String> created(List<Round> rounds) {
        List<String> ids = new ArrayList<>();
        rounds.forEach(r -> ids.addAll(r.created()));
        assertThat(ids).as("ids created by all rounds").doesNotHaveDuplicates();
        return ids;
    }

    private static Map<String, Instant> union(List<Map<String, Instant>> parts) {
        Map<String, Instant> all = new LinkedHashMap<>();
        parts.forEach(all::putAll);
        return all;
    }

    /** Runs {@code round} for each step of {@code step} until the clock passes {@code end} (inclusive). */
    private void stepUntil(Instant end, Duration step, Runnable round) {
        while (!clock.instant().isAfter(end)) {
            round.run();
            clock.advance(step);
        }
    }

    // ---- stored schedules ---------------------------------------------------------------------

    @Test
    void storedSchedulesFireOnceAcrossSchedulersAndFollowAddAndRemove() {
        CronScheduler a = scheduler("a").build();
        CronScheduler b = scheduler("b").build();
        scheduler("app").schedule("in-code", MINUTELY, beat("c")).build(); // published for listing, never fired from the store
        CronSchedules store = ferry(broker).cronSchedules();
        StoredSchedule added = store.add("stored-minutely", "every 1m", null, beat("s"), MisfirePolicy.FIRE_ONCE, OverlapPolicy.ALLOW);
        assertThat(added.source()).isEqualTo("store");
        assertThat(added.nextFireTime()).isNotNull();
        assertThat(store.list()).extracting(StoredSchedule::name, StoredSchedule::source)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("in-code", "code"), org.assertj.core.groups.Tuple.tuple("stored-minutely", "store"));

        List<Round> rounds = new ArrayList<>();
        Instant handover = START.plus(Duration.ofMinutes(15));
        stepUntil(START.plus(Duration.ofMinutes(30)), TICK, () -> {
            if (!clock.instant().isAfter(handover)) {
                rounds.add(a.tick());
            } else if (a.isLeader()) {
                a.close(); // a forced leader change: b takes over and must not fire a tick again
            }
            rounds.add(b.tick());
        });
        Instant last = rounds.getLast().at();
        Map<String, Instant> expected = ticks("stored-minutely", Schedule.every(Duration.ofMinutes(1)), START, last);
        assertThat(expected).hasSize(30);
        assertThat(created(rounds)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertStoredExactly(expected);

        assertThat(store.remove("stored-minutely")).isTrue();
        assertThat(store.remove("stored-minutely")).isFalse();
        List<Round> after = new ArrayList<>();
        stepUntil(last.plus(Duration.ofMinutes(5)), TICK, () -> after.add(b.tick()));
        assertThat(created(after)).as("a removed schedule fires no more").isEmpty();
    }

    @Test
    void badStoredSchedulesAreRefusedAndNothingIsStored() {
        CronSchedules store = ferry(broker).cronSchedules();
        store.add("one", "0 9 * * *", "Europe/Berlin", beat("x"), MisfirePolicy.SKIP, OverlapPolicy.SKIP_IF_RUNNING);
        assertRefusedField(() -> store.add("one", "0 9 * * *", null, beat("x"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW), "name");
        assertRefusedField(() -> store.add("bad name", "0 9 * * *", null, beat("x"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW), "name");
        assertRefusedField(() -> store.add("two", "61 * * * *", null, beat("x"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW), "cron");
        assertRefusedField(() -> store.add("two", "0 0 30 2 *", null, beat("x"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW), "cron");
        assertRefusedField(() -> store.add("two", "0 9 * * *", "Mars/Olympus", beat("x"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW), "zone");
        assertRefusedField(() -> store.add("two", "0 9 * * *", null, beat("x").queue("bad queue"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW), "task.queue");
        assertRefusedField(() -> store.add("two", "0 9 * * *", null, beat("x").id("fixed"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW), "task.id");
        assertThat(store.list()).extracting(StoredSchedule::name).containsExactly("one");
        StoredSchedule one = store.get("one").orElseThrow();
        assertThat(one.zone()).isEqualTo("Europe/Berlin");
        assertThat(one.misfire()).isEqualTo(MisfirePolicy.SKIP);
        assertThat(one.overlap()).isEqualTo(OverlapPolicy.SKIP_IF_RUNNING);
        assertThat(one.task().queue()).isEqualTo(QUEUE);
        assertThat(one.task().payload()).isEqualTo(new dev.ferry.RawJson("{\"name\":\"x\"}"));
    }

    private static void assertRefusedField(Runnable call, String field) {
        org.assertj.core.api.Assertions.assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(dev.ferry.InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    // ---- (a) one scheduler ----------------------------------------------------------------------

    @Test
    void oneSchedulerFiresEveryDueTickOnceOnTimeWithItsIdRunAtAndHeaders() {
        Schedule quarter = Schedule.cron("*/15 * * * *", "Europe/Berlin");
        Schedule odd = Schedule.cron("30 */2 * * * *");
        CronScheduler s = scheduler("solo")
                .schedule("minutely", MINUTELY, beat("m"), MisfirePolicy.FIRE_ONCE, OverlapPolicy.ALLOW)
                .schedule("quarter", quarter, beat("q"))
                .schedule("odd", odd, beat("o"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW)
                .build();
        List<Round> rounds = new ArrayList<>();
        stepUntil(START.plus(Duration.ofHours(3)), TICK, () -> rounds.add(s.tick()));
        Instant last = rounds.getLast().at();

        Map<String, Instant> expected = union(List.of(ticks("minutely", MINUTELY, START, last),
                ticks("quarter", quarter, START, last), ticks("odd", odd, START, last)));
        assertThat(expected).hasSize(180 + 12 + 90);
        assertThat(rounds).allSatisfy(r -> {
            assertThat(r.leader()).isTrue();
            assertThat(r.alreadyFired()).isEmpty();
            assertThat(r.skipped()).isEmpty();
        });
        assertThat(created(rounds)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Round r : rounds) {
            for (String id : r.created()) {
                Duration late = Duration.between(expected.get(id), r.at());
                assertThat(late).as("%s fired at the first round after its tick", id).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(TICK);
            }
        }
        assertStoredExactly(expected);

        TaskInfo nine = stored().get(CronScheduler.taskId("quarter", at("01:00:00")));
        assertThat(nine.type()).isEqualTo("cron.beat");
        assertThat(nine.queue()).isEqualTo(QUEUE);
        assertThat(nine.payloadJson()).contains("\"name\":\"q\"");
        assertThat(nine.headers()).containsEntry(CronScheduler.SCHEDULE_HEADER, "quarter")
                .containsEntry(CronScheduler.TICK_HEADER, "2030-01-01T01:00:00Z");
        assertThat(nine.id()).isEqualTo("cron.quarter." + at("01:00:00").toEpochMilli());

        Instant now = clock.instant();
        assertThat(s.schedules()).extracting(ScheduledTask::name).containsExactly("minutely", "quarter", "odd");
        assertThat(s.schedules()).allSatisfy(st -> {
            assertThat(st.nextFireTime()).isEqualTo(st.schedule().next(now));
            assertThat(st.fired()).isEqualTo(expected.keySet().stream().filter(id -> id.startsWith("cron." + st.name() + ".")).count());
            assertThat(st.alreadyFired()).isZero();
            assertThat(st.skipped()).isZero();
        });
        assertThat(s.schedules().get(1).lastTick()).isEqualTo(at("03:00:00"));
        assertThat(s.isLeader()).isTrue();
    }

    @Test
    void aNewScheduleDoesNotFireTheTicksBeforeItsFirstRound() {
        CronScheduler s = scheduler("solo").schedule("fresh", MINUTELY, beat("f"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW).build();

        assertThat(s.tick().created()).as("the 24 hours before were not this schedule's").isEmpty();
        clock.set(at("00:01:00"));
        assertThat(s.tick().created()).containsExactly(CronScheduler.taskId("fresh", at("00:01:00")));
        assertStoredExactly(Map.of(CronScheduler.taskId("fresh", at("00:01:00")), at("00:01:00")));
    }

    // ---- (b) many schedulers, many threads --------------------------------------------------------

    @Test
    void threeSchedulersTickingConcurrentlyFireEveryTickExactlyOnce() throws Exception {
        Schedule twoMinutes = Schedule.cron("15 */2 * * * *");
        Schedule fiveNewYork = Schedule.cron("*/5 * * * *", "America/New_York");
        List<CronScheduler> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(scheduler("node-" + i)
                    .schedule("every-minute", MINUTELY, beat("m"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW)
                    .schedule("two-minutes", twoMinutes, beat("t"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW)
                    .schedule("five-minutes", fiveNewYork, beat("f"), MisfirePolicy.FIRE_ONCE, OverlapPolicy.ALLOW)
                    .build());
        }
        Random random = new Random(20_300_101L);
        Instant end = START.plus(Duration.ofMinutes(500));
        List<Round> rounds = new ArrayList<>();
        int stalled = -1;
        Instant stalledUntil = null;
        int lastLeader = -1;
        int leaderChanges = 0;
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            while (true) {
                // Every live node ticks from its own thread, sometimes twice at once (two threads
                // of one process): rounds race for the lease and for the store.
                List<Future<Round>> futures = new ArrayList<>();
                List<Integer> who = new ArrayList<>();
                for (int i = 0; i < nodes.size(); i++) {
                    if (i == stalled) {
                        continue;
                    }
                    int copies = random.nextInt(8) == 0 ? 2 : 1;
                    for (int c = 0; c < copies; c++) {
                        CronScheduler node = nodes.get(i);
                        futures.add(pool.submit(node::tick));
                        who.add(i);
                    }
                }
                Set<Integer> leaders = new TreeSet<>();
                for (int f = 0; f < futures.size(); f++) {
                    Round r = futures.get(f).get(ASYNC_BOUND.toSeconds(), TimeUnit.SECONDS);
                    rounds.add(r);
                    if (r.leader()) {
                        leaders.add(who.get(f));
                    }
                }
                assertThat(leaders).as("leaders at %s", clock.instant()).hasSizeLessThanOrEqualTo(1);
                if (leaders.size() == 1) {
                    int leader = leaders.iterator().next();
                    if (lastLeader >= 0 && leader != lastLeader) {
                        leaderChanges++;
                    }
                    lastLeader = leader;
                }
                if (!clock.instant().isBefore(end) && stalled < 0 && leaders.size() == 1) {
                    break; // a live leader has decided every tick up to now
                }
                if (stalled >= 0 && !clock.instant().isBefore(stalledUntil)) {
                    stalled = -1;
                } else if (stalled < 0 && leaders.size() == 1 && random.nextInt(25) == 0) {
                    // The leader freezes (a GC pause, a partition) for longer than its lease.
                    stalled = lastLeader;
                    stalledUntil = clock.instant().plus(LEASE_TTL).plus(TICK);
                }
                clock.advance(Duration.ofSeconds(5 + random.nextInt(6)));
            }
        } finally {
            pool.shutdownNow();
        }
        Instant last = clock.instant();

        Map<String, Instant> expected = union(List.of(ticks("every-minute", MINUTELY, START, last),
                ticks("two-minutes", twoMinutes, START, last), ticks("five-minutes", fiveNewYork, START, last)));
        assertThat(expected.size()).isGreaterThanOrEqualTo(500 + 250 + 100);
        assertThat(leaderChanges).as("leader changes").isGreaterThanOrEqualTo(5);
        assertThat(created(rounds)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(rounds).filteredOn(r -> !r.leader()).allSatisfy(r -> assertThat(r.created()).isEmpty());
        assertStoredExactly(expected);
    }

    // ---- (c) forced leader changes --------------------------------------------------------------

    @Test
    void aCrashedLeaderIsReplacedAfterItsLeaseAndTheNewLeaderCatchesUpEveryTick() {
        Schedule twoMinutes = Schedule.cron("15 */2 * * * *");
        List<CronScheduler> nodes = new ArrayList<>();
        for (String id : List.of("a", "b", "c")) {
            nodes.add(scheduler(id)
                    // A grace shorter than the lease: the ticks of the handover are misfires, and
                    // FIRE_ALL must still fire every one of them.
                    .misfireGrace(Duration.ofSeconds(15))
                    .schedule("every-minute", MINUTELY, beat("m"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW)
                    .schedule("two-minutes", twoMinutes, beat("t"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW)
                    .build());
        }
        CronScheduler a = nodes.get(0);
        List<Round> rounds = new ArrayList<>();
        stepUntil(at("00:05:57"), TICK, () -> nodes.forEach(n -> rounds.add(n.tick())));
        assertThat(a.isLeader()).isTrue();
        Instant crash = at("00:05:57"); // a's last round, 3 s before the 00:06 tick: then a is gone

        List<Round> after = new ArrayList<>();
        stepUntil(at("00:12:00"), TICK, () -> nodes.subList(1, 3).forEach(n -> after.add(n.tick())));
        rounds.addAll(after);

        Round takeover = after.stream().filter(Round::leader).findFirst().orElseThrow();
        assertThat(after).filteredOn(r -> r.at().isBefore(crash.plus(LEASE_TTL))).noneMatch(Round::leader);
        assertThat(takeover.at()).as("taken over as soon as the lease ran out").isEqualTo(crash.plus(LEASE_TTL));
        assertThat(takeover.created()).as("the handover's tick, fired late")
                .contains(CronScheduler.taskId("every-minute", at("00:06:00")));
        Instant last = rounds.getLast().at();
        Map<String, Instant> expected = union(List.of(ticks("every-minute", MINUTELY, START, last),
                ticks("two-minutes", twoMinutes, START, last)));
        assertThat(created(rounds)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertStoredExactly(expected);
    }

    @Test
    void aLeaderThatClosesHandsOverAtTheNextRound() {
        List<CronScheduler> nodes = new ArrayList<>();
        for (String id : List.of("a", "b")) {
            nodes.add(scheduler(id).schedule("every-minute", MINUTELY, beat("m"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW).build());
        }
        CronScheduler a = nodes.get(0);
        CronScheduler b = nodes.get(1);
        List<Round> rounds = new ArrayList<>();
        stepUntil(at("00:03:17"), TICK, () -> nodes.forEach(n -> rounds.add(n.tick())));
        assertThat(a.isLeader()).isTrue();

        a.close();
        a.close();
        assertThat(a.isLeader()).isFalse();
        assertThatThrownBy(a::tick).isInstanceOf(IllegalStateException.class);
        // a's lease, renewed at 00:03:17, would last until 00:03:47
        clock.set(at("00:03:37"));
        Round first = b.tick();
        assertThat(first.leader()).as("a gave up its lease: no wait for its expiry").isTrue();
        rounds.add(first);
        clock.advance(TICK);
        stepUntil(at("00:08:00"), TICK, () -> rounds.add(b.tick()));

        Instant last = rounds.getLast().at();
        Map<String, Instant> expected = ticks("every-minute", MINUTELY, START, last);
        assertThat(created(rounds)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertStoredExactly(expected);
    }

    @Test
    void aDeposedLeaderWakingUpMidRoundCannotFireATickAgain() throws Exception {
        PausingBroker slow = new PausingBroker(broker);
        CronScheduler a = scheduler("a", slow).schedule("every-minute", MINUTELY, beat("m"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW).build();
        CronScheduler b = scheduler("b").schedule("every-minute", MINUTELY, beat("m"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW).build();
        assertThat(a.tick().leader()).isTrue();
        assertThat(b.tick().leader()).isFalse();

        clock.set(at("00:01:00"));
        slow.pauseNextEnqueue();
        CompletableFuture<Round> frozen = CompletableFuture.supplyAsync(a::tick);
        assertThat(slow.paused.await(ASYNC_BOUND.toSeconds(), TimeUnit.SECONDS)).as("a is inside its round, past the lease").isTrue();

        // a's lease (taken at 00:01:00) runs out while a is frozen between lead and enqueue
        clock.set(at("00:01:00").plus(LEASE_TTL));
        Round bRound = b.tick();
        assertThat(bRound.leader()).isTrue();
        String tick = CronScheduler.taskId("every-minute", at("00:01:00"));
        assertThat(bRound.created()).containsExactly(tick);

        slow.resume.countDown();
        Round aRound = frozen.get(ASYNC_BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(aRound.leader()).as("a believed it led when the round began").isTrue();
        assertThat(aRound.created()).isEmpty();
        assertThat(aRound.alreadyFired()).containsExactly(tick);
        assertThat(a.tick().leader()).isFalse();
        assertThat(a.schedules().getFirst().alreadyFired()).isEqualTo(1);
        assertStoredExactly(Map.of(tick, at("00:01:00")));
    }

    // ---- (d) misfire policies -------------------------------------------------------------------

    @Test
    void afterADowntimeSkipFiresNoMissedTickFireOnceTheLatestAndFireAllEveryOneUpToTheBound() {
        CronScheduler s = scheduler("solo").misfireGrace(Duration.ofSeconds(20))
                .schedule("skip", MINUTELY, beat("s"), MisfirePolicy.SKIP, OverlapPolicy.ALLOW)
                .schedule("once", MINUTELY, beat("o"), MisfirePolicy.FIRE_ONCE, OverlapPolicy.ALLOW)
                .schedule("all", MINUTELY, beat("a"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW)
                .build();
        // Another group has its own leader: the bound is a setting of the scheduler.
        CronScheduler bounded = scheduler("bounded").group("bounded").catchUpLimit(4).misfireGrace(Duration.ofSeconds(20))
                .schedule("all-bounded", MINUTELY, beat("b"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW)
                .build();
        s.tick();
        bounded.tick();
        clock.set(at("00:01:00"));
        assertThat(s.tick().created()).hasSize(3);
        assertThat(bounded.tick().created()).hasSize(1);

        // Down for ten intervals; back 30 s after the last missed tick, beyond the 20 s grace.
        clock.set(at("00:11:30"));
        Round back = s.tick();
        Round backBounded = bounded.tick();
        Map<String, Instant> missed = ticks("all", MINUTELY, at("00:01:00"), at("00:11:30"));
        assertThat(missed).hasSize(10);
        assertThat(back.created()).filteredOn(id -> id.startsWith("cron.skip.")).isEmpty();
        assertThat(back.created()).filteredOn(id -> id.startsWith("cron.once."))
                .containsExactly(CronScheduler.taskId("once", at("00:11:00")));
        assertThat(back.created()).filteredOn(id -> id.startsWith("cron.all."))
                .containsExactlyElementsOf(missed.keySet());
        assertThat(backBounded.created()).containsExactlyElementsOf(
                ticks("all-bounded", MINUTELY, at("00:07:00"), at("00:11:30")).keySet());
        assertThat(stored().get(CronScheduler.taskId("all", at("00:02:00"))).runAt()).isEqualTo(at("00:02:00"));

        // Back in rhythm: an on-time tick fires whatever the policy.
        clock.set(at("00:12:00"));
        assertThat(s.tick().created()).containsExactly(CronScheduler.taskId("skip", at("00:12:00")),
                CronScheduler.taskId("once", at("00:12:00")), CronScheduler.taskId("all", at("00:12:00")));
        assertThat(stored()).hasSize(3 + 1 + (1 + 10) + 4 + 3);
    }

    @Test
    void aRestartedSchedulerCatchesUpFromWhereTheBackendSaysTheScheduleBegan() {
        CronScheduler first = scheduler("first").schedule("all", MINUTELY, beat("a"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW).build();
        first.tick();
        clock.set(at("00:01:00"));
        assertThat(first.tick().created()).hasSize(1);
        first.close();

        // Every scheduler was down for ten minutes; a new process (new id, no memory) comes up.
        clock.set(at("00:11:30"));
        CronScheduler second = scheduler("second").misfireGrace(Duration.ofSeconds(20))
                .schedule("all", MINUTELY, beat("a"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW).build();
        Round r = second.tick();
        assertThat(r.leader()).isTrue();
        assertThat(r.alreadyFired()).containsExactly(CronScheduler.taskId("all", at("00:01:00")));
        assertThat(r.created()).containsExactlyElementsOf(ticks("all", MINUTELY, at("00:01:00"), at("00:11:30")).keySet());
        assertStoredExactly(ticks("all", MINUTELY, START, at("00:11:30")));
    }

    @Test
    void catchUpNeverReachesFurtherBackThanTheLookback() {
        CronScheduler s = scheduler("solo").misfireGrace(Duration.ofSeconds(20)).lookback(Duration.ofMinutes(5))
                .schedule("all", MINUTELY, beat("a"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW).build();
        s.tick();
        clock.set(at("00:01:00"));
        s.tick();
        clock.set(at("00:11:30"));
        assertThat(s.tick().created()).containsExactlyElementsOf(ticks("all", MINUTELY, at("00:06:30"), at("00:11:30")).keySet());
    }

    @Test
    void aLongCatchUpFiresEveryMissedTickUpToTheLimit() {
        Schedule everySecond = Schedule.every(Duration.ofSeconds(1));
        CronScheduler s = scheduler("solo").catchUpLimit(1000)
                .schedule("seconds", everySecond, beat("s"), MisfirePolicy.FIRE_ALL, OverlapPolicy.ALLOW).build();
        s.tick();
        clock.set(at("00:15:07"));
        Round r = s.tick();
        Map<String, Instant> expected = ticks("seconds", everySecond, START, at("00:15:07"));
        assertThat(expected).hasSize(900);
        assertThat(r.created()).containsExactlyElementsOf(expected.keySet());
        assertStoredExactly(expected);
    }

    // ---- (e) overlap ----------------------------------------------------------------------------

    @Test
    void skipIfRunningSkipsTicksWhileThePreviousRunIsUnfinished() {
        CronScheduler s = scheduler("solo")
                .schedule("exclusive", MINUTELY, beat("x").queue("exclusive"), MisfirePolicy.FIRE_ONCE, OverlapPolicy.SKIP_IF_RUNNING)
                .schedule("free", MINUTELY, beat("f"), MisfirePolicy.FIRE_ONCE, OverlapPolicy.ALLOW)
                .build();
        s.tick();
        List<Round> rounds = new ArrayList<>();
        Consumer<String> minute = time -> {
            clock.set(at(time));
            rounds.add(s.tick());
        };
        String x1 = CronScheduler.taskId("exclusive", at("00:01:00"));

        minute.accept("00:01:00");
        assertThat(rounds.getLast().created()).contains(x1);
        minute.accept("00:02:00"); // x1 pending
        assertThat(rounds.getLast().skipped()).containsExactly(CronScheduler.taskId("exclusive", at("00:02:00")));
        ClaimedTask run = broker.claim(new ClaimRequest("w", List.of("exclusive"), 1, Duration.ofHours(1))).tasks().getFirst();
        assertThat(run.id()).isEqualTo(x1);
        minute.accept("00:03:00"); // x1 active
        assertThat(rounds.getLast().skipped()).containsExactly(CronScheduler.taskId("exclusive", at("00:03:00")));
        ack(run, new Outcome.Snooze(Duration.ofSeconds(30)));
        minute.accept("00:04:00"); // x1 scheduled again (snoozed until 00:03:30, not yet promoted)
        assertThat(rounds.getLast().skipped()).containsExactly(CronScheduler.taskId("exclusive", at("00:04:00")));
        run = broker.claim(new ClaimRequest("w", List.of("exclusive"), 1, Duration.ofHours(1))).tasks().getFirst();
        ack(run, new Outcome.Completed(null));
        minute.accept("00:05:00"); // x1 completed
        assertThat(rounds.getLast().skipped()).isEmpty();
        assertThat(rounds.getLast().created()).contains(CronScheduler.taskId("exclusive", at("00:05:00")));

        assertThat(stored().keySet()).filteredOn(id -> id.startsWith("cron.exclusive."))
                .containsExactlyInAnyOrder(x1, CronScheduler.taskId("exclusive", at("00:05:00")));
        assertThat(stored().keySet()).filteredOn(id -> id.startsWith("cron.free.")).hasSize(5);
        ScheduledTask exclusive = s.schedules().getFirst();
        assertThat(exclusive.fired()).isEqualTo(2);
        assertThat(exclusive.skipped()).isEqualTo(3);
        assertThat(s.schedules().get(1).skipped()).isZero();
    }

    @Test
    void aNewLeaderFindsThePreviousRunOfItsPredecessor() {
        // SKIP: the new leader does not fire 00:01 itself, so only its probe can know that it runs.
        CronScheduler a = scheduler("a").schedule("exclusive", MINUTELY, beat("x"), MisfirePolicy.SKIP, OverlapPolicy.SKIP_IF_RUNNING).build();
        CronScheduler b = scheduler("b").schedule("exclusive", MINUTELY, beat("x"), MisfirePolicy.SKIP, OverlapPolicy.SKIP_IF_RUNNING).build();
        a.tick();
        b.tick();
        clock.set(at("00:01:00"));
        assertThat(a.tick().created()).containsExactly(CronScheduler.taskId("exclusive", at("00:01:00")));
        // a crashes; its 00:01 run is still pending when b takes over
        clock.set(at("00:02:00"));
        Round r = b.tick();
        assertThat(r.leader()).isTrue();
        assertThat(r.skipped()).containsExactly(CronScheduler.taskId("exclusive", at("00:02:00")));
        assertThat(r.created()).isEmpty();
        assertThat(r.alreadyFired()).isEmpty();
        assertThat(stored()).containsOnlyKeys(CronScheduler.taskId("exclusive", at("00:01:00")));
    }

    @Test
    void aHeldUniqueKeySkipsTheTick() {
        CronScheduler s = scheduler("solo")
                .schedule("unique", MINUTELY, beat("u").unique("report", Duration.ofHours(1)), MisfirePolicy.FIRE_ONCE, OverlapPolicy.ALLOW)
                .build();
        s.tick();
        clock.set(at("00:01:00"));
        assertThat(s.tick().created()).hasSize(1);
        clock.set(at("00:02:00"));
        Round r = s.tick();
        assertThat(r.created()).isEmpty();
        assertThat(r.skipped()).containsExactly(CronScheduler.taskId("unique", at("00:02:00")));
        assertThat(s.schedules().getFirst().skipped()).isEqualTo(1);
    }

    // ---- (f) bad input --------------------------------------------------------------------------

    @Test
    void badInputIsRefusedNamingTheFieldAndNothingStarts() {
        Set<String> threadsBefore = cronThreads();
        assertThatThrownBy(() -> Schedule.cron("0 9 * * *", "Mars/Base"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("zone"));
        assertThatThrownBy(() -> Schedule.cron("61 * * * *"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("cron"));

        Ferry ferry = ferry(broker);
        assertRefused("name", () -> ferry.scheduler().schedule("daily", MINUTELY, beat("d")).schedule("daily", MINUTELY, beat("e")));
        assertRefused("name", () -> ferry.scheduler().schedule("daily report", MINUTELY, beat("d")));
        assertRefused("name", () -> ferry.scheduler().schedule("", MINUTELY, beat("d")));
        assertRefused("name", () -> ferry.scheduler().schedule("n".repeat(175), MINUTELY, beat("d")));
        assertRefused("tickInterval", () -> ferry.scheduler().tickInterval(Duration.ZERO));
        assertRefused("tickInterval", () -> ferry.scheduler().tickInterval(Duration.ofSeconds(-1)));
        assertRefused("tickInterval", () -> ferry.scheduler().tickInterval(null));
        assertRefused("schedule", () -> ferry.scheduler().schedule("daily", null, beat("d")));
        assertRefused("task", () -> ferry.scheduler().schedule("daily", MINUTELY, null));
        assertRefused("task.id", () -> ferry.scheduler().schedule("daily", MINUTELY, beat("d").id("mine")));
        assertRefused("task.runAt", () -> ferry.scheduler().schedule("daily", MINUTELY, beat("d").runAt(START)));
        assertRefused("task.queue", () -> ferry.scheduler().schedule("daily", MINUTELY, beat("d").queue("no queue")));
        assertRefused("task.type", () -> ferry.scheduler().schedule("daily", MINUTELY, Task.of("", new Beat("d"))));
        assertRefused("catchUpLimit", () -> ferry.scheduler().catchUpLimit(0));
        assertRefused("schedulerId", () -> ferry.scheduler().schedulerId("no id"));
        assertRefused("schedules", () -> ferry.scheduler().storedSchedules(false).build());
        assertRefused("misfireGrace", () -> ferry.scheduler().tickInterval(TICK).misfireGrace(Duration.ofSeconds(5))
                .schedule("daily", MINUTELY, beat("d")).build());
        assertRefused("lookback", () -> ferry.scheduler().lookback(Duration.ofHours(25))
                .schedule("daily", MINUTELY, beat("d")).build());
        assertRefused("lookback", () -> ferry.scheduler().lookback(Duration.ofHours(2))
                .schedule("daily", MINUTELY, beat("d").retention(Duration.ofHours(1))).build());
        assertRefused("lookback", () -> ferry.scheduler().schedule("daily", MINUTELY, beat("d").retention(Duration.ZERO)).build());
        Ferry shortDead = Ferry.builder().broker(broker)
                .defaults(TaskDefaults.standard().withRetention(Duration.ofDays(1), Duration.ofHours(1))).build();
        ferries.add(shortDead);
        assertRefused("lookback", () -> shortDead.scheduler().lookback(Duration.ofHours(2)).schedule("daily", MINUTELY, beat("d")).build());

        assertThat(stored()).as("nothing enqueued").isEmpty();
        assertThat(broker.lead(new LeaderRequest(CronScheduler.LEADER_LEASE, "someone-else", LEASE_TTL)).leader())
                .as("no scheduler took the lease").isTrue();
        assertThat(cronThreads()).as("no scheduler thread").isEqualTo(threadsBefore);
    }

    private static void assertRefused(String field, Runnable action) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    private static Set<String> cronThreads() {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("ferry-cron-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    // ---- the loop and the life cycle ------------------------------------------------------------

    @Test
    void aStartedSchedulerFiresOnItsOwnAndStopsWhenItsFerryCloses() {
        Ferry ferry = ferry(broker);
        CronScheduler s = ferry.scheduler().clock(clock).tickInterval(Duration.ofMillis(20)).schedulerId("looping")
                .schedule("every-minute", MINUTELY, beat("m")).start();
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
        await().atMost(ASYNC_BOUND).until(s::isLeader);
        clock.set(at("00:01:00"));
        String tick = CronScheduler.taskId("every-minute", at("00:01:00"));
        await().atMost(ASYNC_BOUND).until(() -> broker.get(tick).isPresent());

        ferry.close();
        assertThat(s.isLeader()).isFalse();
        assertThatThrownBy(s::tick).isInstanceOf(IllegalStateException.class);
        assertThat(cronThreads()).doesNotContain("ferry-cron-looping");
        assertThat(broker.get(tick)).as("the broker stays open").isPresent();
        // The loop kept the lease until 00:01:00.060; given up, it ends a millisecond after the close.
        clock.set(at("00:01:00").plusMillis(1));
        assertThat(broker.lead(new LeaderRequest(CronScheduler.LEADER_LEASE, "next", LEASE_TTL)).leader())
                .as("the lease was given up").isTrue();
    }

    @Test
    void aFollowerDoesNothingAndListsItsSchedules() {
        CronScheduler leader = scheduler("leader").schedule("every-minute", MINUTELY, beat("m")).build();
        CronScheduler follower = scheduler("follower").schedule("every-minute", MINUTELY, beat("m")).build();
        leader.tick();
        clock.set(at("00:00:30")); // the leader's lease lasts until 00:00:37
        Round r = follower.tick();
        assertThat(r.leader()).isFalse();
        assertThat(r.created()).isEmpty();
        assertThat(follower.isLeader()).isFalse();
        assertThat(stored()).isEmpty();
        ScheduledTask st = follower.schedules().getFirst();
        assertThat(st.nextFireTime()).isEqualTo(at("00:01:00"));
        assertThat(st.fired()).isZero();
        assertThat(st.lastTick()).isNull();
        assertThat(st.misfire()).isEqualTo(MisfirePolicy.FIRE_ONCE);
        assertThat(st.overlap()).isEqualTo(OverlapPolicy.ALLOW);
        assertThat(follower.id()).isEqualTo("follower");
    }

    private void ack(ClaimedTask task, Outcome outcome) {
        AckResponse r = broker.ack(new AckRequest(List.of(new Ack(task.lease(), outcome))));
        assertThat(r.rejected()).isEmpty();
    }

    /** A broker whose next enqueue waits until the test lets it go: a leader frozen mid-round. */
    private static final class PausingBroker extends ForwardingBroker {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        private volatile boolean pauseNext;

        PausingBroker(Broker delegate) {
            super(delegate);
        }

        void pauseNextEnqueue() {
            pauseNext = true;
        }

        @Override
        public EnqueueResponse enqueue(EnqueueRequest request) {
            if (pauseNext) {
                pauseNext = false;
                paused.countDown();
                try {
                    if (!resume.await(ASYNC_BOUND.toSeconds(), TimeUnit.SECONDS)) {
                        throw new AssertionError("the test never resumed the paused enqueue");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            return super.enqueue(request);
        }

        /** The test's broker is closed by the test, not through this view. */
        @Override
        public void close() {
        }
    }
}
