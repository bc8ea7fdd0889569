package dev.ferry;

import dev.ferry.internal.CronRuntime;
import dev.ferry.spi.Broker;
import dev.ferry.spi.RecordCommand;
import dev.ferry.spi.RecordResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Cron schedules stored in the backend, so they can be added and removed while the application
 * runs ({@code ferry cron add/list/remove}) and every {@link CronScheduler} of the backend fires
 * them (a scheduler picks up changes at its next round). Each tick still fires exactly once
 * across all schedulers: stored schedules go through the same leader lease and deterministic
 * task ids as schedules registered in code.
 *
 * <pre>{@code
 * ferry.cronSchedules().add("nightly-report", "0 2 * * *", "Europe/Berlin",
 *         Task.of("report.nightly", new Report("sales")).queue("low"),
 *         MisfirePolicy.FIRE_ONCE, OverlapPolicy.SKIP_IF_RUNNING);
 * }</pre>
 */
public final class CronSchedules {
    /** The record namespace stored schedules live in. */
    public static final String NAMESPACE = "ferry-cron";

    private final Broker broker;
    private final Client client;
    private final JsonCodec codec;
    private final Clock clock;

    CronSchedules(Broker broker, Client client, JsonCodec codec, Clock clock) {
        this.broker = broker;
        this.client = client;
        this.codec = codec;
        this.clock = clock;
    }

    /**
     * Stores a new schedule. Checked as the builder checks one: the name, the schedule and zone,
     * and the task exactly as a tick would enqueue it. Nothing is stored when anything is wrong.
     *
     * @param name    letters, digits and {@code . _ : -}, unique per backend
     * @param spec    a cron expression (5 or 6 fields) or {@code every 5m}
     * @param zone    the cron expression's time zone, or null for UTC
     * @param task    the task each tick enqueues; must not set its own id, runAt or delay
     * @param misfire the misfire policy
     * @param overlap the overlap policy
     * @return the stored schedule with its next fire time
     * @throws InvalidInputException naming the bad field, or {@code name} when a schedule of that name exists
     */
    public StoredSchedule add(String name, String spec, String zone, Task task, MisfirePolicy misfire, OverlapPolicy overlap) {
        Objects.requireNonNull(misfire, "misfire");
        Objects.requireNonNull(overlap, "overlap");
        CronScheduler.Builder.checkName(name);
        Schedule schedule = Schedule.parse(spec, zone);
        if (schedule.next(clock.instant()) == null) {
            throw new InvalidInputException("schedule", "'" + spec + "' never fires after now");
        }
        CronScheduler.Builder.checkTask(client, name, task);
        String payload = task.payload() instanceof RawJson raw ? raw.json() : codec.encode(task.payload());
        Map<String, Object> doc = document(spec, zone, task, payload, misfire, overlap, "store");
        int stored = broker.records(new RecordCommand.Put(NAMESPACE, name, codec.encode(doc), true)).count();
        if (stored == 0) {
            throw new InvalidInputException("name", "a schedule named '" + name + "' is stored already; remove it first");
        }
        return get(name).orElseThrow();
    }

    /**
     * Removes a stored schedule; schedulers stop firing it at their next round.
     *
     * @return whether one was there
     */
    public boolean remove(String name) {
        Objects.requireNonNull(name, "name");
        return broker.records(new RecordCommand.Delete(NAMESPACE, name)).count() == 1;
    }

    /** The stored schedule of that name, if any. */
    public java.util.Optional<StoredSchedule> get(String name) {
        Objects.requireNonNull(name, "name");
        return broker.records(new RecordCommand.Get(NAMESPACE, name)).records().stream().findFirst().map(this::parse);
    }

    /** Every stored schedule (and the code-registered ones schedulers published), sorted by name, with next fire times. */
    public List<StoredSchedule> list() {
        List<StoredSchedule> out = new ArrayList<>();
        for (RecordResponse.Entry e : broker.records(new RecordCommand.All(NAMESPACE)).records()) {
            out.add(parse(e));
        }
        return out;
    }

    /** Publishes a code-registered schedule so {@code ferry cron list} shows it; schedulers never fire these from the store. */
    void publish(CronRuntime.Registration r, String spec, String zone) {
        String payload = r.task().payload() instanceof RawJson raw ? raw.json() : codec.encode(r.task().payload());
        broker.records(new RecordCommand.Put(NAMESPACE, r.name(),
                codec.encode(document(spec, zone, r.task(), payload, r.misfire(), r.overlap(), "code")), false));
    }

    private static Map<String, Object> document(String spec, String zone, Task task, String payload, MisfirePolicy misfire,
                                                OverlapPolicy overlap, String source) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("type", task.type());
        t.put("payload", new RawJson(payload));
        put(t, "queue", task.queue());
        put(t, "priority", task.priority());
        put(t, "maxAttempts", task.maxAttempts());
        put(t, "timeoutMs", task.timeout() == null ? null : task.timeout().toMillis());
        put(t, "uniqueKey", task.uniqueKey());
        put(t, "uniqueForMs", task.uniqueFor() == null ? null : task.uniqueFor().toMillis());
        if (!task.headers().isEmpty()) {
            t.put("headers", task.headers());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("spec", spec);
        put(doc, "zone", zone);
        doc.put("misfire", misfire.name());
        doc.put("overlap", overlap.name());
        doc.put("source", source);
        doc.put("task", t);
        return doc;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    @SuppressWarnings("unchecked")
    StoredSchedule parse(RecordResponse.Entry e) {
        Map<String, Object> doc = codec.decode(e.json(), Map.class);
        Map<String, Object> t = (Map<String, Object>) doc.get("task");
        String spec = (String) doc.get("spec");
        String zone = (String) doc.get("zone");
        Task task = Task.ofJson((String) t.get("type"), codec.encode(t.get("payload")));
        if (t.get("queue") != null) {
            task = task.queue((String) t.get("queue"));
        }
        if (t.get("priority") != null) {
            task = task.priority(((Number) t.get("priority")).intValue());
        }
        if (t.get("maxAttempts") != null) {
            task = task.maxAttempts(((Number) t.get("maxAttempts")).intValue());
        }
        if (t.get("timeoutMs") != null) {
            task = task.timeout(Duration.ofMillis(((Number) t.get("timeoutMs")).longValue()));
        }
        if (t.get("uniqueKey") != null) {
            task = task.unique((String) t.get("uniqueKey"), Duration.ofMillis(((Number) t.get("uniqueForMs")).longValue()));
        }
        if (t.get("headers") instanceof Map<?, ?> headers) {
            for (Map.Entry<?, ?> h : headers.entrySet()) {
                task = task.header(String.valueOf(h.getKey()), String.valueOf(h.getValue()));
            }
        }
        Schedule schedule = Schedule.parse(spec, zone);
        Instant now = clock.instant();
        return new StoredSchedule(e.key(), spec, zone == null ? "UTC" : zone, schedule, task,
                MisfirePolicy.valueOf((String) doc.get("misfire")), OverlapPolicy.valueOf((String) doc.get("overlap")),
                (String) doc.get("source"), schedule.next(now), e.updatedAt());
    }
}
