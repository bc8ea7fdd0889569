package dev.ferry.bench.peers;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.jackson3.Jackson3JsonMapper;

/**
 * JobRunr (open-source edition) with its PostgreSQL storage provider, as its documentation
 * configures it: a {@link BackgroundJobServer} with {@code concurrency} workers; jobs are static
 * method lambdas ({@code () -> Probe.ran(n)}). Its tables live in the bench's own schema.
 */
final class JobRunrPeer implements Peer {
    private final DataSource ds;
    private final JobScheduler scheduler;
    private final BackgroundJobServer server;
    private final Duration poll;
    private boolean running;

    JobRunrPeer(DataSource ds, long pollMs, int concurrency) {
        this.ds = ds;
        this.poll = pollMs > 0 ? Duration.ofMillis(pollMs) : BackgroundJobServerConfiguration.DEFAULT_POLL_INTERVAL;
        var result = JobRunr.configure()
                .useStorageProvider(new PostgresStorageProvider(ds))
                .useJsonMapper(new Jackson3JsonMapper())
                .useBackgroundJobServer(BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                        .andWorkerCount(concurrency)
                        .andPollInterval(poll), false)
                .initialize();
        this.scheduler = result.getJobScheduler();
        this.server = JobRunr.getBackgroundJobServer();
    }

    @Override
    public String describe() {
        return "jobrunr " + JobRunr.class.getPackage().getImplementationVersion() + " (PostgreSQL storage, poll interval "
                + poll.toMillis() + " ms)";
    }

    @Override
    public void enqueue(long n) {
        scheduler.enqueue(() -> Probe.ran(n));
    }

    @Override
    public void enqueueBatch(List<Long> numbers) {
        scheduler.enqueue(numbers.stream(), n -> Probe.ran(n));
    }

    @Override
    public void startWorkers(int concurrency) {
        server.start();
        running = true;
    }

    @Override
    public void stopWorkers() {
        if (running) {
            server.stop();
            running = false;
        }
    }

    @Override
    public long finished() {
        return count("SELECT count(*) FROM jobrunr_jobs WHERE state = 'SUCCEEDED'");
    }

    @Override
    public long waiting() {
        return count("SELECT count(*) FROM jobrunr_jobs WHERE state = 'ENQUEUED'");
    }

    @Override
    public void clear() {
        try {
            PgPeerBench.execute(ds, "TRUNCATE jobrunr_jobs");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long count(String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stopWorkers();
        JobRunr.destroy();
    }
}
