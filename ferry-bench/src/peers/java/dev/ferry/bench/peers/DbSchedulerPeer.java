package dev.ferry.bench.peers;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * db-scheduler with PostgreSQL: one {@link OneTimeTask} whose data is the job number as text (a
 * string serializer, so no Java serialization is involved); completed one-time executions are
 * deleted, so "finished" is scheduled minus still stored. Default settings unless {@code tuned}:
 * then lock-and-fetch polling ({@code FOR UPDATE SKIP LOCKED}) and immediate execution, and the
 * latency phase schedules through the running scheduler so that immediate execution applies.
 */
final class DbSchedulerPeer implements Peer {
    /** Text in, text out: the task data is the job number. */
    private static final Serializer TEXT = new Serializer() {
        @Override
        public byte[] serialize(Object data) {
            return ((String) data).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public <T> T deserialize(Class<T> type, byte[] bytes) {
            return type.cast(new String(bytes, StandardCharsets.UTF_8));
        }
    };

    private static final String DDL = """
            CREATE TABLE scheduled_tasks (
              task_name text NOT NULL,
              task_instance text NOT NULL,
              task_data bytea,
              execution_time timestamp with time zone NOT NULL,
              picked boolean NOT NULL,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures int,
              last_heartbeat timestamp with time zone,
              version bigint NOT NULL,
              priority smallint,
              PRIMARY KEY (task_name, task_instance));
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
            """;

    private final DataSource ds;
    private final long pollMs;
    private final boolean tuned;
    private final OneTimeTask<String> task;
    private final SchedulerClient client;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong scheduled = new AtomicLong();
    private long cleared;
    private volatile Scheduler scheduler;

    DbSchedulerPeer(DataSource ds, long pollMs, boolean tuned) throws SQLException {
        this.ds = ds;
        this.pollMs = pollMs;
        this.tuned = tuned;
        PgPeerBench.execute(ds, DDL);
        this.task = Tasks.oneTime("bench-noop", String.class)
                .execute((instance, ctx) -> Probe.ran(Long.parseLong(instance.getData())));
        this.client = SchedulerClient.Builder.create(ds, task).serializer(TEXT).build();
    }

    @Override
    public String describe() {
        Duration poll = pollMs > 0 ? Duration.ofMillis(pollMs) : SchedulerBuilder.DEFAULT_POLLING_INTERVAL;
        return "db-scheduler " + version() + " (polling interval "
                + poll.toMillis() + " ms, " + (tuned ? "lock-and-fetch, immediate execution" : "default fetch strategy") + ")";
    }

    private static String version() {
        try (var in = Scheduler.class.getResourceAsStream("/META-INF/maven/com.github.kagkarlsson/db-scheduler/pom.properties")) {
            var props = new java.util.Properties();
            if (in != null) {
                props.load(in);
            }
            return props.getProperty("version", "?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private TaskInstance<String> instance(long n) {
        return task.instance("j" + ids.incrementAndGet(), Long.toString(n));
    }

    // schedule(...) is deprecated in 16.x in favour of variants that report an existing instance;
    // the bench's ids are unique, and the figures in docs/benchmarks.md were taken with this one.
    @SuppressWarnings("deprecation")
    @Override
    public void enqueue(long n) {
        Scheduler running = scheduler;
        // With immediate execution only the scheduler's own schedule() wakes its executor.
        SchedulerClient via = tuned && running != null ? running : client;
        via.schedule(SchedulableInstance.of(instance(n), Instant.now()));
        scheduled.incrementAndGet();
    }

    @Override
    public void enqueueBatch(List<Long> numbers) {
        List<TaskInstance<?>> batch = new ArrayList<>(numbers.size());
        for (long n : numbers) {
            batch.add(instance(n));
        }
        client.scheduleBatch(batch, Instant.now());
        scheduled.addAndGet(numbers.size());
    }

    @Override
    public void startWorkers(int concurrency) {
        SchedulerBuilder b = Scheduler.create(ds, task).serializer(TEXT).threads(concurrency);
        if (pollMs > 0) {
            b.pollingInterval(Duration.ofMillis(pollMs));
        }
        if (tuned) {
            b.pollUsingLockAndFetch(0.5, 1.0).enableImmediateExecution();
        }
        Scheduler s = b.build();
        s.start();
        scheduler = s;
    }

    @Override
    public void stopWorkers() {
        Scheduler s = scheduler;
        if (s != null) {
            s.stop();
            scheduler = null;
        }
    }

    @Override
    public long finished() {
        return scheduled.get() - cleared - waiting();
    }

    @Override
    public long waiting() {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void clear() {
        cleared += waiting();
        try {
            PgPeerBench.execute(ds, "TRUNCATE scheduled_tasks");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stopWorkers();
    }
}
