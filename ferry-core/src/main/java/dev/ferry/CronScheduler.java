package dev.ferry;

import dev.ferry.internal.CronRuntime;
import dev.ferry.internal.Validation;
import dev.ferry.internal.WorkerRuntime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Fires recurring tasks: each registered {@link Schedule} enqueues its {@link Task} at every tick,
 * once across any number of scheduler processes on the same backend. Build one with
 * {@link Ferry#scheduler()}:
 *
 * <pre>{@code
 * CronScheduler scheduler = ferry.scheduler()
 *         .schedule("daily-report", Schedule.cron("0 9 * * *", "Europe/Berlin"),
 *                 Task.of("report.daily", new Report("sales")).queue("low"),
 *                 MisfirePolicy.FIRE_ONCE, OverlapPolicy.SKIP_IF_RUNNING)
 *         .schedule("cleanup", Schedule.every(Duration.ofMinutes(5)), Task.of("cache.cleanup", new Cleanup()))
 *         .start();
 * }</pre>
 *
 * <p><b>Exactly once.</b> Every round ({@link #tick()}, run every tick interval once started) first
 * takes or renews the backend's leader lease; only the leader fires. The leader enqueues each tick
 * with the deterministic id {@link #taskId(String, Instant) cron.&lt;name&gt;.&lt;tick epoch millis&gt;} and
 * {@code runAt} = the tick, so a tick that another leader (one whose lease ran out while it was
 * paused, or the one before a failover) already fired is refused by the backend as a duplicate id.
 * That holds while the fired task is still stored, which is why a scheduler never looks further back
 * than its lookback, and the lookback may not exceed the tasks' retention. The argument, the
 * misfire and overlap rules and the limits are in {@code docs/scheduling.md}.
 *
 * <p>Time is the injected {@link Clock} ({@link Builder#clock}); in tests a manual clock and
 * {@link #tick()} drive the scheduler without waiting. No static state. Thread-safe.
 */
public interface CronScheduler extends AutoCloseable {

    /** The header each fired task carries with its schedule's name. */
    String SCHEDULE_HEADER = "ferry-schedule";

    /** The header each fired task carries with its tick, as an ISO-8601 instant ({@code 2030-01-01T09:00:00Z}). */
    String TICK_HEADER = "ferry-tick";

    /** The name of the backend's leader lease for the default group. */
    String LEADER_LEASE = "ferry-cron";

    /**
     * The id of the task that the tick {@code tick} of schedule {@code name} enqueues:
     * {@code cron.<name>.<tick epoch millis>}, for example {@code cron.daily-report.1893488400000}.
     * Names end before the last dot and the millis are digits (with a sign before 1970), so the id
     * is unique per (schedule, tick).
     */
    static String taskId(String name, Instant tick) {
        return "cron." + name + "." + tick.toEpochMilli();
    }

    /**
     * Starts the background loop that runs a round every tick interval. Returns at once.
     *
     * @throws IllegalStateException when started already or closed
     */
    CronScheduler start();

    /**
     * Runs one round now, on the calling thread: take or keep the leader lease, and as leader enqueue
     * every tick that came due since the last round (by the misfire and overlap policies). Rounds of
     * one scheduler never run at once: a second caller waits. Tests call it with a manual clock
     * instead of starting the loop. A backend failure is thrown; the next round covers the same
     * ticks again (the ids make that safe).
     *
     * @return what the round did
     * @throws IllegalStateException when closed
     */
    Round tick();

    /** True when this scheduler held the leader lease at its last round (and is not closed). */
    boolean isLeader();

    /** This scheduler's holder id in the leader lease (host, pid and a random part, unless set). */
    String id();

    /** The registered schedules in registration order, with their next fire times and counters. */
    List<ScheduledTask> schedules();

    /**
     * Stops the loop (waiting for a running round to end) and, when this scheduler is the leader,
     * gives up the lease so another scheduler can take over at once instead of after its expiry.
     * Leaves the broker open. Safe to call more than once.
     */
    @Override
    void close();

    /**
     * What one round did.
     *
     * @param at           the scheduler's clock at the start of the round
     * @param leader       whether this scheduler was the leader in this round (a follower does nothing)
     * @param created      ids of the tasks this round enqueued, in tick order per schedule
     * @param alreadyFired ids of ticks found already enqueued (by another leader): not created again
     * @param skipped      ids of ticks not fired because the previous run was unfinished or the
     *                     task's unique key was held
     */
    record Round(Instant at, boolean leader, List<String> created, List<String> alreadyFired, List<String> skipped) {
        public Round {
            created = List.copyOf(created);
            alreadyFired = List.copyOf(alreadyFired);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Configures a {@link CronScheduler}. Every setting is checked when set, and the combination by
     * {@link #build()}; a refused setting throws {@link InvalidInputException} naming it and starts
     * nothing.
     */
    final class Builder {
        /** Same characters as task ids, because the name becomes part of one. */
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]*");
        /** "cron." + name + "." + up to 20 characters of signed epoch millis must fit a task id. */
        static final int MAX_NAME_LENGTH = Validation.MAX_NAME_LENGTH - "cron.".length() - 1 - 20;
        private static final Duration MAX_TICK_INTERVAL = Duration.ofHours(1);
        private static final Duration DEFAULT_MAX_LOOKBACK = Duration.ofHours(24);
        private static final int MAX_CATCH_UP = 10_000;

        private final Ferry ferry;
        private final Map<String, CronRuntime.Registration> schedules = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private Duration tickInterval = Duration.ofSeconds(1);
        private Duration misfireGrace;
        private Duration lookback;
        private int catchUpLimit = 100;
        private boolean stored = true;
        private String schedulerId;
        private String group;

        Builder(Ferry ferry) {
            this.ferry = ferry;
        }

        /** The clock ticks are computed with (default {@link Clock#systemUTC()}). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How often a round runs (default 1 s, at most 1 h). The leader lease lasts three tick
         * intervals, so a failover takes about that long.
         */
        public Builder tickInterval(Duration interval) {
            Validation.positive("tickInterval", interval);
            if (interval.compareTo(Duration.ofMillis(1)) < 0) {
                throw new InvalidInputException("tickInterval", "must be at least 1ms (leader leases count milliseconds), was " + interval);
            }
            if (interval.compareTo(MAX_TICK_INTERVAL) > 0) {
                throw new InvalidInputException("tickInterval", "must be at most " + MAX_TICK_INTERVAL + ", was " + interval);
            }
            this.tickInterval = interval;
            return this;
        }

        /**
         * How late a tick may be seen and still count as on time (fired whatever the misfire policy).
         * Default: the lease (3 tick intervals) plus 2 tick intervals, so that a failover alone is
         * never a misfire. At least one tick interval, at most the lookback.
         */
        public Builder misfireGrace(Duration grace) {
            this.misfireGrace = Validation.positive("misfireGrace", grace);
            return this;
        }

        /**
         * How far back a scheduler that becomes leader looks for ticks it has not seen: the longest
         * downtime that {@link MisfirePolicy#FIRE_ONCE} and {@link MisfirePolicy#FIRE_ALL} catch up.
         * It must not exceed the retention of any scheduled task (nor the dead retention), because
         * exactly-once rests on the fired task still being stored. Default: half the shortest of
         * those retentions (room for clock differences between hosts), at most 24 h; with the
         * standard 24 h retention, 12 h.
         */
        public Builder lookback(Duration lookback) {
            this.lookback = Validation.positive("lookback", lookback);
            return this;
        }

        /** The most missed ticks {@link MisfirePolicy#FIRE_ALL} fires per schedule in one round (default 100). */
        public Builder catchUpLimit(int limit) {
            if (limit < 1 || limit > MAX_CATCH_UP) {
                throw new InvalidInputException("catchUpLimit", "must be between 1 and " + MAX_CATCH_UP + ", was " + limit);
            }
            this.catchUpLimit = limit;
            return this;
        }

        /** A fixed holder id for the leader lease (default: host, pid and a random part). Unique per scheduler. */
        public Builder schedulerId(String id) {
            this.schedulerId = Validation.id("schedulerId", id);
            return this;
        }

        /**
         * The leader group (default: one group per backend). Schedulers of different applications
         * that share a backend but not their schedules must use different groups, or the leader of
         * one would be the only scheduler firing. Schedule names stay global per backend.
         */
        public Builder group(String group) {
            this.group = Validation.id("group", group);
            return this;
        }

        /** Registers a schedule with {@link MisfirePolicy#FIRE_ONCE} and {@link OverlapPolicy#ALLOW}. */
        public Builder schedule(String name, Schedule schedule, Task task) {
            return schedule(name, schedule, task, MisfirePolicy.FIRE_ONCE, OverlapPolicy.ALLOW);
        }

        /**
         * Registers a schedule.
         *
         * @param name     unique per backend; letters, digits and {@code . _ : -}, starting with a
         *                 letter or digit, at most 174 characters (it becomes part of task ids)
         * @param schedule when it fires
         * @param task     what each tick enqueues; must not set its own id, run-at or delay (the
         *                 scheduler sets the id and runs it at the tick)
         * @param misfire  what happens to ticks seen late
         * @param overlap  whether a tick fires while the previous run is unfinished
         * @throws InvalidInputException field {@code name} for a bad or duplicate name, {@code schedule},
         *                               {@code misfire}, {@code overlap}, or {@code task.<field>} for a
         *                               task the client would refuse
         */
        public Builder schedule(String name, Schedule schedule, Task task, MisfirePolicy misfire, OverlapPolicy overlap) {
            checkName(name);
            if (schedules.containsKey(name)) {
                throw new InvalidInputException("name", "a schedule named '" + name + "' is registered already");
            }
            if (schedule == null) {
                throw new InvalidInputException("schedule", "is required");
            }
            if (misfire == null) {
                throw new InvalidInputException("misfire", "is required");
            }
            if (overlap == null) {
                throw new InvalidInputException("overlap", "is required");
            }
            checkTask(ferry.client(), name, task);
            schedules.put(name, new CronRuntime.Registration(name, schedule, task, misfire, overlap));
            return this;
        }

        static void checkName(String name) {
            if (name == null || name.isEmpty()) {
                throw new InvalidInputException("name", "a schedule name is required");
            }
            if (name.length() > MAX_NAME_LENGTH) {
                throw new InvalidInputException("name", "schedule name is longer than " + MAX_NAME_LENGTH
                        + " characters (it becomes part of task ids)");
            }
            if (!NAME.matcher(name).matches()) {
                throw new InvalidInputException("name", "'" + name + "' is not a valid schedule name"
                        + ": use letters, digits and . _ : - (starting with a letter or digit)");
            }
        }

        static void checkTask(Client client, String name, Task task) {
            if (task == null) {
                throw new InvalidInputException("task", "is required");
            }
            if (task.id() != null) {
                throw new InvalidInputException("task.id", "is set by the scheduler (cron." + name + ".<tick millis>); leave it unset");
            }
            if (task.runAt() != null) {
                throw new InvalidInputException("task.runAt", "is set by the scheduler to the tick; leave it unset");
            }
            if (task.delay() != null) {
                throw new InvalidInputException("task.delay", "is not supported for scheduled tasks: the task runs at its tick");
            }
            // The client checks what it checks at every enqueue (type, queue, payload size, ...), on
            // the task exactly as a tick will send it, so a bad task is refused now, not at 9:00.
            try {
                client.validate(CronRuntime.fired(name, task, Instant.EPOCH));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("task." + e.field(), e.getMessage().substring(e.field().length() + 2));
            }
        }

        /**
         * Whether this scheduler also fires the schedules stored in the backend ({@link CronSchedules},
         * {@code ferry cron add}), picking up additions and removals at each round, and publishes its
         * code-registered schedules there so {@code ferry cron list} shows them. On by default.
         */
        public Builder storedSchedules(boolean enabled) {
            this.stored = enabled;
            return this;
        }

        /** Builds the scheduler without starting its loop ({@link CronScheduler#tick()} works at once). */
        public CronScheduler build() {
            if (schedules.isEmpty() && !stored) {
                throw new InvalidInputException("schedules", "register at least one with schedule(name, schedule, task), or use storedSchedules(true)");
            }
            Duration grace = misfireGrace != null ? misfireGrace : tickInterval.multipliedBy(5);
            if (grace.compareTo(tickInterval) < 0) {
                throw new InvalidInputException("misfireGrace", "must be at least the tick interval (" + tickInterval
                        + "), or ticks seen at the next round would already count as missed; was " + grace);
            }
            Duration back = lookback;
            // stored schedules keep the default retention, so with them on, it bounds the lookback too
            String shortest = stored ? "(stored schedules)" : null;
            Duration shortestRetention = stored ? retention(Task.of("stored", null)) : null;
            for (CronRuntime.Registration r : schedules.values()) {
                Duration kept = retention(r.task());
                if (shortestRetention == null || kept.compareTo(shortestRetention) < 0) {
                    shortestRetention = kept;
                    shortest = r.name();
                }
            }
            if (back == null) {
                // Half: the store prunes by the backend's clock and the window is read on the
                // scheduler's, so the default keeps a margin for the difference.
                Duration half = shortestRetention.dividedBy(2);
                back = half.compareTo(DEFAULT_MAX_LOOKBACK) < 0 ? half : DEFAULT_MAX_LOOKBACK;
            }
            if (back.compareTo(shortestRetention) > 0) {
                throw new InvalidInputException("lookback", "is " + back + " but schedule '" + shortest + "' keeps its finished tasks only "
                        + shortestRetention + ": a new leader could fire a tick again after its task was pruned."
                        + " Use a lookback of at most the retention, or give the task a longer retention");
            }
            if (back.compareTo(grace) < 0) {
                throw new InvalidInputException("lookback", "is " + back + (lookback == null
                        ? " (half the retention of schedule '" + shortest + "')" : "")
                        + ", shorter than the misfire grace " + grace
                        + ": a new leader would not see ticks that are still on time. Give the task a longer retention");
            }
            String id = schedulerId != null ? schedulerId : WorkerRuntime.newWorkerId();
            String lease = group == null ? LEADER_LEASE : LEADER_LEASE + ":" + group;
            CronRuntime.Config config = new CronRuntime.Config(id, lease, clock, tickInterval, grace, back, catchUpLimit,
                    List.copyOf(new ArrayList<>(schedules.values())));
            CronSchedules store = stored ? ferry.cronSchedules(clock) : null;
            if (store != null) {
                for (CronRuntime.Registration r : schedules.values()) {
                    try {
                        store.publish(r, spec(r.schedule()), r.schedule() instanceof Schedule.CronSchedule c ? c.zone().getId() : null);
                    } catch (RuntimeException e) {
                        // only the listing misses it; firing does not depend on the record
                    }
                }
            }
            CronRuntime scheduler = new CronRuntime(ferry.broker(), ferry.client(), config, store);
            ferry.track(scheduler);
            return scheduler;
        }

        /** Builds the scheduler and starts its loop. */
        public CronScheduler start() {
            return build().start();
        }

        private static String spec(Schedule schedule) {
            return switch (schedule) {
                case Schedule.CronSchedule c -> c.cron().toString();
                case Schedule.Every e -> "every " + e.interval().toSeconds() + "s";
            };
        }

        /** How long a finished task of this schedule stays stored: the shorter of its retention and the dead retention. */
        private Duration retention(Task task) {
            Duration kept = task.retention() != null ? task.retention() : ferry.defaults().retention();
            Duration dead = ferry.defaults().deadRetention();
            return dead.compareTo(kept) < 0 ? dead : kept;
        }
    }
}
