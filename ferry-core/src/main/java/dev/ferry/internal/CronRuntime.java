package dev.ferry.internal;

import dev.ferry.Client;
import dev.ferry.CronSchedules;
import dev.ferry.StoredSchedule;
import dev.ferry.CronScheduler;
import dev.ferry.EnqueueResult;
import dev.ferry.MisfirePolicy;
import dev.ferry.OverlapPolicy;
import dev.ferry.Schedule;
import dev.ferry.ScheduledTask;
import dev.ferry.Task;
import dev.ferry.TaskInfo;
import dev.ferry.spi.Broker;
import dev.ferry.spi.IdempotencyRequest;
import dev.ferry.spi.LeaderRequest;
import dev.ferry.spi.LeaderResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link CronScheduler}: a leader-elected round every tick interval that enqueues due ticks
 * under deterministic ids.
 *
 * <h2>A round</h2>
 * <ol>
 * <li>Each schedule's first round in this process reads (or creates) its "since" record in the
 *     backend: when any scheduler first ran it. A schedule never fires ticks from before that, so a
 *     new schedule does not catch up a past it never had.</li>
 * <li>Take or renew the leader lease (3 tick intervals). A follower stops here.</li>
 * <li>Per schedule, the window is {@code (from, now]} with {@code from} the latest of this
 *     scheduler's watermark (the {@code now} of its last leader round), {@code now - lookback}
 *     (never look back further: exactly-once needs the fired task to be still stored) and since.</li>
 * <li>Ticks in the window newer than {@code now - misfireGrace} are on time and fire; older ones
 *     are missed and the misfire policy picks which of them fire.</li>
 * <li>Each chosen tick is enqueued as {@code cron.<name>.<millis>} with {@code runAt} = tick. A
 *     duplicate id means another leader fired it already. With SKIP_IF_RUNNING, a tick is skipped
 *     while the previous fired tick's task is unfinished.</li>
 * <li>Only when that all succeeded does the watermark move to {@code now}; after a failure the next
 *     round covers the same ticks again, and the ids make that harmless.</li>
 * </ol>
 */
public final class CronRuntime implements CronScheduler {
    private static final System.Logger LOG = System.getLogger("dev.ferry.cron");
    /**
     * The since record must outlive every lookback (at most a retention, and retentions are days);
     * ten years is "forever" for a record of a few bytes per schedule name.
     */
    private static final Duration SINCE_TTL = Duration.ofDays(3650);
    /** Ticks before the first chosen one that a new leader probes to find the previous run. */
    private static final int PREVIOUS_PROBES = 3;
    /** Tasks per enqueue call: a takeover's catch-up of many schedules must not become one huge request. */
    private static final int MAX_BATCH = 500;
    /** A lease this short is as good as given up, and it is the only way the SPI has to give one up. */
    private static final Duration RESIGN = Duration.ofMillis(1);

    /** One schedule as registered. */
    public record Registration(String name, Schedule schedule, Task task, MisfirePolicy misfire, OverlapPolicy overlap) {
    }

    /** Everything the builder checked. */
    public record Config(String schedulerId, String leaseName, Clock clock, Duration tickInterval, Duration misfireGrace,
                         Duration lookback, int catchUpLimit, List<Registration> schedules) {
    }

    private final Broker broker;
    private final Client client;
    private final Config config;
    private final Duration leaseTtl;
    /** Copy-on-write: rounds change it (stored schedules), schedules() reads it from any thread. */
    private final List<Entry> entries = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The backend's stored schedules, or null when this scheduler fires only its own. */
    private volatile CronSchedules store;
    /** Stored schedules taken in, by name, with the record time they were read at. */
    private final Map<String, Instant> storedVersions = new HashMap<>();
    /** Held for a whole round, so rounds of this scheduler never overlap (loop and manual tick). */
    private final ReentrantLock roundLock = new ReentrantLock();
    private volatile boolean leader;
    private volatile boolean closed;
    private boolean started;
    private boolean closing;
    private ScheduledThreadPoolExecutor executor;
    private Loop loop;

    public CronRuntime(Broker broker, Client client, Config config, CronSchedules store) {
        this.store = store;
        this.broker = broker;
        this.client = client;
        this.config = config;
        this.leaseTtl = config.tickInterval().multipliedBy(3);
        for (Registration r : config.schedules()) {
            entries.add(new Entry(r));
        }
    }

    /** The task one tick enqueues: the registered task with the tick's id, run-at and headers. */
    public static Task fired(String name, Task task, Instant tick) {
        return task.id(CronScheduler.taskId(name, tick))
                .runAt(tick)
                .header(SCHEDULE_HEADER, name)
                .header(TICK_HEADER, tick.toString());
    }

    @Override
    public synchronized CronScheduler start() {
        if (closing) {
            throw new IllegalStateException("scheduler " + config.schedulerId() + " is closed");
        }
        if (started) {
            throw new IllegalStateException("scheduler " + config.schedulerId() + " was started already");
        }
        started = true;
        executor = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("ferry-cron-" + config.schedulerId()).factory());
        executor.setRemoveOnCancelPolicy(true);
        loop = new Loop();
        loop.start(executor);
        return this;
    }

    @Override
    public Round tick() {
        roundLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("scheduler " + config.schedulerId() + " is closed");
            }
            return round();
        } finally {
            roundLock.unlock();
        }
    }

    @Override
    public boolean isLeader() {
        return leader && !closed;
    }

    @Override
    public String id() {
        return config.schedulerId();
    }

    @Override
    public List<ScheduledTask> schedules() {
        Instant now = config.clock().instant();
        List<ScheduledTask> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            Registration r = e.reg;
            out.add(new ScheduledTask(r.name(), r.schedule(), r.task(), r.misfire(), r.overlap(), r.schedule().next(now),
                    e.lastTick, e.fired.get(), e.alreadyFired.get(), e.skipped.get()));
        }
        return List.copyOf(out);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            if (loop != null) {
                loop.close();
                executor.shutdown();
            }
        }
        boolean resign;
        roundLock.lock(); // waits for a round in progress
        try {
            closed = true;
            resign = leader;
            leader = false;
        } finally {
            roundLock.unlock();
        }
        awaitLoopEnd();
        if (resign) {
            try {
                broker.lead(new LeaderRequest(config.leaseName(), config.schedulerId(), RESIGN));
            } catch (RuntimeException e) {
                // The lease then simply runs out after its ttl; another scheduler takes over a little later.
                LOG.log(System.Logger.Level.DEBUG, "could not give up the cron lease: " + e.getMessage());
            }
        }
    }

    /** So that after close no thread of this scheduler is left (the loop is cancelled; its thread exits). */
    private void awaitLoopEnd() {
        ScheduledThreadPoolExecutor ex;
        synchronized (this) {
            ex = executor;
        }
        if (ex == null) {
            return;
        }
        try {
            if (!ex.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "cron scheduler " + config.schedulerId() + ": loop thread did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- one round ----------------------------------------------------------------------------

    private Round round() {
        Instant now = config.clock().instant();
        syncStored();
        registerSince(now);
        LeaderResponse lease;
        try {
            lease = broker.lead(new LeaderRequest(config.leaseName(), config.schedulerId(), leaseTtl));
        } catch (RuntimeException e) {
            leader = false; // unknown: do not claim to lead
            throw e;
        }
        leader = lease.leader();
        RoundLog log = new RoundLog();
        if (!leader) {
            return log.round(now, false);
        }
        Instant floor = now.minus(config.lookback());
        List<Fire> batch = new ArrayList<>();
        List<Entry> batched = new ArrayList<>();
        for (Entry e : entries) {
            Instant from = latest(latest(e.watermark, floor), e.since);
            Choice choice = now.isAfter(from) ? choose(e, from, now) : Choice.NONE;
            if (e.reg.overlap() == OverlapPolicy.SKIP_IF_RUNNING) {
                fireOneByOne(e, choice, log);
                e.watermark = now;
            } else {
                for (Instant t : choice.ticks) {
                    batch.add(new Fire(e, t));
                }
                batched.add(e);
            }
        }
        // One round trip for every schedule that allows overlap (a catch-up in bounded chunks); a
        // failure leaves their watermarks where they were, so the next round sends the same ids again.
        for (int from = 0; from < batch.size(); from += MAX_BATCH) {
            List<Fire> chunk = batch.subList(from, Math.min(batch.size(), from + MAX_BATCH));
            List<Task> tasks = new ArrayList<>(chunk.size());
            for (Fire f : chunk) {
                tasks.add(fired(f.entry.reg.name(), f.entry.reg.task(), f.tick));
            }
            List<EnqueueResult> results = client.enqueueAll(tasks);
            for (int i = 0; i < chunk.size(); i++) {
                record(chunk.get(i).entry, chunk.get(i).tick, results.get(i), log);
            }
        }
        for (Entry e : batched) {
            e.watermark = now;
        }
        return log.round(now, true);
    }

    /**
     * Takes in the schedules stored in the backend: new ones are added, removed ones dropped, and
     * changed ones replaced (their since record stays, so a change does not catch up old ticks).
     * A schedule registered in code wins over a stored one of the same name.
     */
    private void syncStored() {
        CronSchedules s = store;
        if (s == null) {
            return;
        }
        List<StoredSchedule> stored;
        try {
            stored = s.list();
        } catch (UnsupportedOperationException e) {
            store = null; // a backend without records: fire the code schedules only
            return;
        }
        Set<String> code = new HashSet<>();
        for (Registration r : config.schedules()) {
            code.add(r.name());
        }
        Map<String, StoredSchedule> live = new HashMap<>();
        for (StoredSchedule st : stored) {
            if ("store".equals(st.source()) && !code.contains(st.name())) {
                live.put(st.name(), st);
            }
        }
        entries.removeIf(e -> storedVersions.containsKey(e.reg.name())
                && (!live.containsKey(e.reg.name()) || !live.get(e.reg.name()).updatedAt().equals(storedVersions.get(e.reg.name()))));
        storedVersions.keySet().removeIf(name -> entries.stream().noneMatch(e -> e.reg.name().equals(name)));
        for (StoredSchedule st : live.values()) {
            if (!storedVersions.containsKey(st.name())) {
                entries.add(new Entry(new Registration(st.name(), st.schedule(), st.task(), st.misfire(), st.overlap())));
                storedVersions.put(st.name(), st.updatedAt());
            }
        }
    }

    /** Reads or creates the since record of every schedule that has none yet in this process. */
    private void registerSince(Instant now) {
        for (Entry e : entries) {
            if (e.since != null) {
                continue;
            }
            String key = "ferry-cron:" + e.reg.name() + ":since";
            Optional<String> stored = broker.idempotency(new IdempotencyRequest(key, Long.toString(now.toEpochMilli()), SINCE_TTL));
            Instant since = now;
            if (stored.isPresent()) {
                try {
                    since = Instant.ofEpochMilli(Long.parseLong(stored.get().strip()));
                } catch (RuntimeException bad) {
                    // Not ours to interpret: do not let it stop the schedule; the lookback still bounds the window.
                    LOG.log(System.Logger.Level.WARNING, "ignoring unreadable record " + key + ": " + stored.get());
                    since = Instant.MIN;
                }
            }
            e.since = since;
        }
    }

    /** The ticks in {@code (from, now]} that fire by the misfire policy, oldest first, and the ones just before them. */
    private Choice choose(Entry e, Instant from, Instant now) {
        Instant graceStart = now.minus(config.misfireGrace());
        int keepMissed = switch (e.reg.misfire()) {
            case SKIP -> 0;
            case FIRE_ONCE -> 1;
            case FIRE_ALL -> config.catchUpLimit();
        };
        boolean probe = e.reg.overlap() == OverlapPolicy.SKIP_IF_RUNNING && e.previousId == null;
        int tail = keepMissed + (probe ? PREVIOUS_PROBES : 0);
        Instant t = from;
        if (tail == 0 && graceStart.isAfter(t)) {
            t = graceStart; // only on-time ticks matter: no need to walk the missed ones
        }
        // Bounded memory whatever the window: the on-time ticks (at most grace / period) and the
        // newest missed ones that the policy or the probe needs.
        ArrayDeque<Instant> missed = new ArrayDeque<>();
        List<Instant> onTime = new ArrayList<>();
        while (true) {
            t = e.reg.schedule().next(t);
            if (t == null || t.isAfter(now)) {
                break;
            }
            if (t.isAfter(graceStart)) {
                onTime.add(t);
            } else if (tail > 0) {
                missed.addLast(t);
                if (missed.size() > tail) {
                    missed.removeFirst();
                }
            }
        }
        List<Instant> before = new ArrayList<>();
        while (missed.size() > keepMissed) {
            before.add(missed.removeFirst());
        }
        List<Instant> ticks = new ArrayList<>(missed);
        ticks.addAll(onTime);
        return new Choice(ticks, before);
    }

    /** With SKIP_IF_RUNNING each tick depends on the one before, so they go one at a time. */
    private void fireOneByOne(Entry e, Choice choice, RoundLog log) {
        if (choice.ticks.isEmpty()) {
            return;
        }
        if (e.previousId == null) {
            // A scheduler new to leading does not know the previous run: the newest earlier tick that
            // is stored is it (its predecessor as leader fired it).
            for (int i = choice.before.size() - 1; i >= 0 && e.previousId == null; i--) {
                String id = CronScheduler.taskId(e.reg.name(), choice.before.get(i));
                if (broker.get(id).isPresent()) {
                    e.previousId = id;
                }
            }
        }
        for (Instant t : choice.ticks) {
            String id = CronScheduler.taskId(e.reg.name(), t);
            if (e.previousId != null && unfinished(e.previousId)) {
                if (broker.get(id).isPresent()) {
                    // fired by an earlier leader before the previous run blocked it: not a skip
                    e.alreadyFired.incrementAndGet();
                    e.previousId = id;
                    e.lastTick = t;
                    log.alreadyFired.add(id);
                } else {
                    e.skipped.incrementAndGet();
                    log.skipped.add(id);
                }
                continue;
            }
            record(e, t, client.enqueue(fired(e.reg.name(), e.reg.task(), t)), log);
        }
    }

    private boolean unfinished(String taskId) {
        return broker.get(taskId).map(TaskInfo::state).map(s -> !s.isFinished()).orElse(false);
    }

    private static void record(Entry e, Instant tick, EnqueueResult r, RoundLog log) {
        String id = CronScheduler.taskId(e.reg.name(), tick);
        switch (r.status()) {
            case CREATED -> {
                e.fired.incrementAndGet();
                e.previousId = id;
                e.lastTick = tick;
                log.created.add(id);
            }
            case DUPLICATE_ID -> {
                e.alreadyFired.incrementAndGet();
                e.previousId = id;
                e.lastTick = tick;
                log.alreadyFired.add(id);
            }
            case DUPLICATE_UNIQUE_KEY -> {
                e.skipped.incrementAndGet();
                log.skipped.add(id);
            }
        }
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }

    /** Per schedule. Mutated only under the round lock; the counters are read by {@link #schedules()}. */
    private static final class Entry {
        final Registration reg;
        final AtomicLong fired = new AtomicLong();
        final AtomicLong alreadyFired = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        /** When any scheduler first ran this schedule (from the backend), or null until read. */
        Instant since;
        /** Ticks up to here were decided by this scheduler as leader; null before its first leader round. */
        Instant watermark;
        /** The newest tick known to be fired (the overlap check's "previous run"). */
        String previousId;
        volatile Instant lastTick;

        Entry(Registration reg) {
            this.reg = reg;
        }
    }

    private record Fire(Entry entry, Instant tick) {
    }

    /** The ticks to fire, oldest first, and up to a few unchosen ticks just before them (oldest first). */
    private record Choice(List<Instant> ticks, List<Instant> before) {
        static final Choice NONE = new Choice(List.of(), List.of());
    }

    private static final class RoundLog {
        final List<String> created = new ArrayList<>();
        final List<String> alreadyFired = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();

        Round round(Instant at, boolean leader) {
            return new Round(at, leader, created, alreadyFired, skipped);
        }
    }

    /** The background loop: one round per tick interval; a failed round is logged and the next one retries. */
    private final class Loop extends PeriodicDuty {
        Loop() {
            super("cron scheduler " + config.schedulerId(), config.tickInterval());
        }

        @Override
        protected void runOnce() {
            roundLock.lock();
            try {
                if (!closed) {
                    round();
                }
            } finally {
                roundLock.unlock();
            }
        }
    }

    /** For diagnostics only. */
    @Override
    public String toString() {
        return "CronScheduler[" + config.schedulerId() + ", schedules="
                + entries.stream().map(e -> e.reg.name()).toList() + (leader ? ", leader]" : "]");
    }
}
