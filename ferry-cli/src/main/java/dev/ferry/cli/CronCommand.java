package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.MisfirePolicy;
import dev.ferry.OverlapPolicy;
import dev.ferry.StoredSchedule;
import dev.ferry.Task;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry cron add|list|remove}: cron schedules stored in the backend. */
@Command(name = "cron", description = "Cron schedules stored in the backend: add, list, remove. Every running scheduler fires them.",
        subcommands = {CronCommand.Add.class, CronCommand.ListSchedules.class, CronCommand.Remove.class})
final class CronCommand extends GroupCommand {
    /** {@code ferry cron add NAME SCHEDULE TYPE [--payload JSON] ...}. */
    @Command(name = "add", description = "Store a schedule: NAME, a cron expression (5 or 6 fields) or 'every 5m', and the task type.")
    static final class Add extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "Schedule name (letters, digits, . _ : -).")
        String name;

        @Parameters(index = "1", paramLabel = "SCHEDULE", description = "Cron expression ('0 9 * * MON-FRI') or 'every 5m'.")
        String schedule;

        @Parameters(index = "2", paramLabel = "TYPE", description = "Task type each tick enqueues.")
        String type;

        @Option(names = "--payload", paramLabel = "JSON", defaultValue = "{}", description = "Task payload (default ${DEFAULT-VALUE}).")
        String payload;

        @Option(names = "--zone", paramLabel = "ZONE", description = "Time zone of the cron expression (default UTC), e.g. Europe/Berlin.")
        String zone;

        @Option(names = "--queue", paramLabel = "QUEUE", description = "Queue (default: the default queue).")
        String queue;

        @Option(names = "--priority", paramLabel = "N", description = "Priority 0..100, lower first.")
        Integer priority;

        @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts per fired task.")
        Integer maxAttempts;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.Converter.class, description = "Per-attempt timeout.")
        Duration timeout;

        @Option(names = "--misfire", paramLabel = "POLICY", defaultValue = "fire_once",
                description = "After downtime: skip, fire_once or fire_all (default ${DEFAULT-VALUE}).")
        String misfire;

        @Option(names = "--overlap", paramLabel = "POLICY", defaultValue = "allow",
                description = "allow, or skip_if_running: skip a tick while the previous run is unfinished (default ${DEFAULT-VALUE}).")
        String overlap;

        @Override
        int run() {
            MisfirePolicy m = policy(MisfirePolicy.class, "misfire", misfire);
            OverlapPolicy o = policy(OverlapPolicy.class, "overlap", overlap);
            Task task = Task.ofJson(type, payload);
            if (queue != null) {
                task = task.queue(queue);
            }
            if (priority != null) {
                task = task.priority(priority);
            }
            if (maxAttempts != null) {
                task = task.maxAttempts(maxAttempts);
            }
            if (timeout != null) {
                task = task.timeout(timeout);
            }
            StoredSchedule s;
            try (Ferry ferry = openFerry()) {
                s = ferry.cronSchedules().add(name, schedule, zone, task, m, o);
            }
            out().println("added schedule " + s.name() + " (" + s.spec() + ", " + s.zone() + "): next fire at " + Instants.show(s.nextFireTime()));
            return FerryCli.EXIT_OK;
        }

        private static <E extends Enum<E>> E policy(Class<E> type, String field, String text) {
            try {
                return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new dev.ferry.InvalidInputException(field, "unknown policy '" + text + "'; use one of "
                        + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
            }
        }
    }

    /** {@code ferry cron list}. */
    @Command(name = "list", description = "List stored schedules with their next fire times.")
    static final class ListSchedules extends BaseCommand {
        @Override
        int run() {
            List<StoredSchedule> all;
            try (Ferry ferry = openFerry()) {
                all = ferry.cronSchedules().list();
            }
            Table t = new Table("NAME", "SCHEDULE", "ZONE", "TYPE", "QUEUE", "NEXT FIRE", "MISFIRE", "OVERLAP", "SOURCE");
            for (StoredSchedule s : all) {
                t.row(s.name(), s.spec(), s.zone(), s.task().type(), s.task().queue() == null ? "default" : s.task().queue(),
                        Instants.show(s.nextFireTime()), Json.lower(s.misfire()), Json.lower(s.overlap()), s.source());
            }
            t.print(out());
            return FerryCli.EXIT_OK;
        }
    }

    /** {@code ferry cron remove NAME}. */
    @Command(name = "remove", description = "Remove a stored schedule; schedulers stop firing it at their next round.")
    static final class Remove extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "Schedule name.")
        String name;

        @Override
        int run() {
            boolean removed;
            try (Ferry ferry = openFerry()) {
                removed = ferry.cronSchedules().remove(name);
            }
            if (!removed) {
                throw new CliException(FerryCli.EXIT_FAILURE, "no schedule named '" + name + "'");
            }
            out().println("removed schedule " + name);
            return FerryCli.EXIT_OK;
        }
    }
}
