package dev.ferry.embedded.internal;

import dev.ferry.TaskState;
import java.util.List;

/**
 * Every SQL statement of the embedded broker, named by what it does.
 *
 * <p>States are stored as their enum names ({@code 'PENDING'}...) so the file stays readable with
 * the {@code sqlite3} shell. Times are epoch milliseconds of the broker's clock, durations are
 * milliseconds. Queries that must use a partial index repeat the index's {@code WHERE} term
 * verbatim: SQLite only uses a partial index when the query's terms visibly imply it.
 */
final class Sql {
    private Sql() {
    }

    /**
     * The schema version this code writes and understands. 1: tasks and coordination; 2: token
     * buckets, semaphore holders and records (new tables only, so a version-1 file is upgraded
     * in place by creating them); 3: fair claim order, the task columns {@code tenant} and
     * {@code fair_at} and the indexes over them ({@link #UPGRADE_TO_3} adds the columns to an
     * older file and drops the ready index, which {@link #SCHEMA} then creates anew).
     */
    static final int SCHEMA_VERSION = 3;

    /** Created in one transaction on open; every statement is idempotent. */
    static final List<String> SCHEMA = List.of(
            """
            CREATE TABLE IF NOT EXISTS ferry_schema (
                version INTEGER NOT NULL
            )""",
            """
            CREATE TABLE IF NOT EXISTS ferry_task (
                seq               INTEGER PRIMARY KEY,  -- enqueue sequence (FIFO tie-break); the rowid
                id                TEXT    NOT NULL UNIQUE,
                queue             TEXT    NOT NULL,
                type              TEXT    NOT NULL,
                payload           TEXT,
                priority          INTEGER NOT NULL,
                state             TEXT    NOT NULL,
                attempt           INTEGER NOT NULL DEFAULT 0,
                max_attempts      INTEGER NOT NULL,
                timeout_ms        INTEGER NOT NULL,
                run_at            INTEGER NOT NULL,
                enqueued_at       INTEGER NOT NULL,
                started_at        INTEGER,
                finished_at       INTEGER,              -- set only while finished
                expires_at        INTEGER,              -- set only while finished: prune deadline
                lease_token       INTEGER,
                lease_expires_at  INTEGER,              -- set only while ACTIVE
                worker_id         TEXT,
                unique_key        TEXT,
                progress          TEXT,
                result            TEXT,
                errors            TEXT,                 -- JSON array, last 10
                lease_expirations INTEGER NOT NULL DEFAULT 0,
                cancel_requested  INTEGER NOT NULL DEFAULT 0,
                dead_reason       TEXT,
                headers           TEXT,                 -- JSON object, NULL when empty
                retention_ms      INTEGER NOT NULL,
                dead_retention_ms INTEGER NOT NULL,
                tenant            TEXT,                 -- the ferry-tenant header, NULL without one
                fair_at           INTEGER               -- fair position (ms), counts only while PENDING
            )""",
            // Claim order within a queue, in two parts merged by the claim: pending tasks placed
            // by their run-at (every task without a tenant) here, tasks with a fair position in
            // ferry_task_fair. Only pending rows, so a claim never walks other states. The
            // trailing fair_at (always NULL here) lets the claim read the index alone: SQLite
            // counts a partial index's `IS NULL` term as covered only when the column is in it.
            """
            CREATE INDEX IF NOT EXISTS ferry_task_ready
                ON ferry_task (queue, priority, run_at, seq, fair_at) WHERE state = 'PENDING' AND fair_at IS NULL""",
            // Version 3. Pending tasks placed by their fair position (tenanted tasks pending from
            // enqueue): the other part of claim order. Tasks without a tenant never enter it.
            """
            CREATE INDEX IF NOT EXISTS ferry_task_fair
                ON ferry_task (queue, priority, fair_at, seq) WHERE state = 'PENDING' AND fair_at IS NOT NULL""",
            // A tenant's last pending position in a queue and priority, for the next fair position.
            """
            CREATE INDEX IF NOT EXISTS ferry_task_tenant
                ON ferry_task (queue, priority, tenant, coalesce(fair_at, run_at))
                WHERE state = 'PENDING' AND tenant IS NOT NULL""",
            // The oldest run-at among fairly placed tasks, for stats (ferry_task_ready gives it for
            // the others): a fair position may lie before or after the task's run-at.
            """
            CREATE INDEX IF NOT EXISTS ferry_task_fair_age
                ON ferry_task (queue, run_at) WHERE state = 'PENDING' AND fair_at IS NOT NULL""",
            // Due scheduled and retrying tasks of a queue, for the promotion a claim does first.
            """
            CREATE INDEX IF NOT EXISTS ferry_task_due
                ON ferry_task (queue, run_at) WHERE state IN ('SCHEDULED', 'RETRYING')""",
            // Lease recovery walks only expired active rows.
            """
            CREATE INDEX IF NOT EXISTS ferry_task_lease
                ON ferry_task (lease_expires_at) WHERE state = 'ACTIVE'""",
            // Prune walks only finished rows past their retention (expires_at is NULL otherwise).
            """
            CREATE INDEX IF NOT EXISTS ferry_task_expiry
                ON ferry_task (expires_at) WHERE expires_at IS NOT NULL""",
            // Listing finished tasks of a queue, most recent first, without sorting the whole history.
            """
            CREATE INDEX IF NOT EXISTS ferry_task_finished
                ON ferry_task (state, queue, finished_at) WHERE finished_at IS NOT NULL""",
            // One row per known queue: the paused flag, maintained counts per state and totals, so
            // stats never count rows.
            """
            CREATE TABLE IF NOT EXISTS ferry_queue (
                name            TEXT    PRIMARY KEY,
                paused          INTEGER NOT NULL DEFAULT 0,
                scheduled       INTEGER NOT NULL DEFAULT 0,
                pending         INTEGER NOT NULL DEFAULT 0,
                active          INTEGER NOT NULL DEFAULT 0,
                retrying        INTEGER NOT NULL DEFAULT 0,
                waiting         INTEGER NOT NULL DEFAULT 0,
                completed       INTEGER NOT NULL DEFAULT 0,
                dead            INTEGER NOT NULL DEFAULT 0,
                cancelled       INTEGER NOT NULL DEFAULT 0,
                processed_total INTEGER NOT NULL DEFAULT 0,
                failed_total    INTEGER NOT NULL DEFAULT 0,
                dead_total      INTEGER NOT NULL DEFAULT 0,
                poisoned_total  INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID""",
            """
            CREATE TABLE IF NOT EXISTS ferry_unique (
                key        TEXT    PRIMARY KEY,
                task_id    TEXT    NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS ferry_unique_expiry ON ferry_unique (expires_at)",
            """
            CREATE TABLE IF NOT EXISTS ferry_idempotency (
                key        TEXT    PRIMARY KEY,
                value      TEXT    NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS ferry_idempotency_expiry ON ferry_idempotency (expires_at)",
            """
            CREATE TABLE IF NOT EXISTS ferry_leader (
                name   TEXT    PRIMARY KEY,
                holder TEXT    NOT NULL,
                until  INTEGER NOT NULL
            ) WITHOUT ROWID""",
            """
            CREATE TABLE IF NOT EXISTS ferry_worker (
                worker_id      TEXT    PRIMARY KEY,
                host           TEXT,
                pid            INTEGER NOT NULL,
                queues         TEXT    NOT NULL,      -- JSON array
                concurrency    INTEGER NOT NULL,
                busy           INTEGER NOT NULL,
                started_at     INTEGER,
                last_heartbeat INTEGER NOT NULL
            ) WITHOUT ROWID""",
            // Small named counters shared by every process, e.g. the fencing-token source.
            """
            CREATE TABLE IF NOT EXISTS ferry_meta (
                key   TEXT    PRIMARY KEY,
                value INTEGER NOT NULL
            ) WITHOUT ROWID""",
            "INSERT INTO ferry_meta (key, value) VALUES ('lease_token', 0) ON CONFLICT (key) DO NOTHING",
            // Version 2. Token buckets: tokens left at `at` (ms); full again at full_at, after
            // which the row means nothing and prune deletes it.
            """
            CREATE TABLE IF NOT EXISTS ferry_bucket (
                name    TEXT    PRIMARY KEY,
                tokens  REAL    NOT NULL,
                at      INTEGER NOT NULL,
                full_at INTEGER NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS ferry_bucket_full ON ferry_bucket (full_at)",
            // Semaphore holders, each until its expiry (ms); a holder past it no longer counts.
            """
            CREATE TABLE IF NOT EXISTS ferry_semaphore (
                name       TEXT    NOT NULL,
                holder     TEXT    NOT NULL,
                expires_at INTEGER NOT NULL,
                PRIMARY KEY (name, holder)
            ) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS ferry_semaphore_expiry ON ferry_semaphore (expires_at)",
            // Small documents kept until deleted (cron schedules, limit definitions).
            """
            CREATE TABLE IF NOT EXISTS ferry_record (
                namespace  TEXT    NOT NULL,
                key        TEXT    NOT NULL,
                json       TEXT    NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (namespace, key)
            ) WITHOUT ROWID""");

    /**
     * Brings a version-1 or -2 file to version 3 before {@link #SCHEMA} runs: the new task
     * columns (NULL for every existing task: they were enqueued without a fair position), and
     * the ready index dropped so that it is created again with its new definition.
     */
    static final List<String> UPGRADE_TO_3 = List.of(
            "ALTER TABLE ferry_task ADD COLUMN tenant TEXT",
            "ALTER TABLE ferry_task ADD COLUMN fair_at INTEGER",
            "DROP INDEX IF EXISTS ferry_task_ready");

    static final String SCHEMA_VERSION_GET = "SELECT max(version) FROM ferry_schema";
    static final String SCHEMA_VERSION_SET = "INSERT INTO ferry_schema (version) VALUES (?)";

    // ---- task columns --------------------------------------------------------------------

    /** Columns read into a {@code TaskInfo}, in the order {@code TaskRows} expects. */
    static final String TASK_COLUMNS = """
            id, queue, type, payload, priority, state, attempt, max_attempts, timeout_ms, run_at,
            enqueued_at, started_at, finished_at, expires_at, lease_expires_at, worker_id, unique_key,
            progress, result, errors, lease_expirations, cancel_requested, dead_reason, headers,
            retention_ms, dead_retention_ms""";

    static final String TASK_GET = "SELECT " + TASK_COLUMNS + " FROM ferry_task WHERE id = ?";

    // ---- enqueue -------------------------------------------------------------------------

    /**
     * Inserts one task unless its id exists; the update count tells which happened. Tenant and
     * fair position are NULL for a task without a tenant, so it enters ferry_task_ready only.
     */
    static final String TASK_INSERT = """
            INSERT INTO ferry_task (id, queue, type, payload, priority, state, max_attempts, timeout_ms,
                                    run_at, enqueued_at, unique_key, headers, retention_ms, dead_retention_ms,
                                    tenant, fair_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO NOTHING""";

    /**
     * What the fair position of a tenanted task entering PENDING depends on, for queue ?1,
     * priority ?2 and tenant ?3 (docs/spi.md, "Fair claim order"): the first position of that
     * priority in each part of claim order (the smaller is V; NULL when the part has none), and
     * the tenant's last position there (L, NULL when none). Three index seeks.
     */
    static final String FAIR_BOUNDS = """
            SELECT (SELECT run_at FROM ferry_task
                    WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NULL AND priority = ?2
                    ORDER BY run_at LIMIT 1),
                   (SELECT fair_at FROM ferry_task
                    WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NOT NULL AND priority = ?2
                    ORDER BY fair_at LIMIT 1),
                   (SELECT coalesce(fair_at, run_at) FROM ferry_task
                    WHERE queue = ?1 AND state = 'PENDING' AND tenant IS NOT NULL AND priority = ?2 AND tenant = ?3
                    ORDER BY coalesce(fair_at, run_at) DESC LIMIT 1)""";

    static final String TASK_EXISTS = "SELECT 1 FROM ferry_task WHERE id = ?";

    static final String UNIQUE_GET = "SELECT task_id, expires_at FROM ferry_unique WHERE key = ?";

    static final String UNIQUE_TAKE = """
            INSERT INTO ferry_unique (key, task_id, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET task_id = excluded.task_id, expires_at = excluded.expires_at""";

    /** Releases a key only if this task still holds it (a later task may have taken it over). */
    static final String UNIQUE_RELEASE = "DELETE FROM ferry_unique WHERE key = ? AND task_id = ?";

    // ---- claim ---------------------------------------------------------------------------

    static final String QUEUE_PAUSED = "SELECT paused FROM ferry_queue WHERE name = ?";

    static final String QUEUE_NAMES = "SELECT name FROM ferry_queue ORDER BY name";

    /** Due scheduled/retrying tasks of one queue, earliest first. */
    static final String DUE_OF_QUEUE = """
            SELECT seq, state FROM ferry_task
            WHERE queue = ? AND state IN ('SCHEDULED', 'RETRYING') AND run_at <= ?
            ORDER BY run_at LIMIT ?""";

    /**
     * What decides a claim's statement: how many due scheduled/retrying tasks a queue has
     * (counting no further than the limit ?3), and whether any of its pending tasks has a fair
     * position (one more seek). Queue ?1, now ?2.
     */
    static final String CLAIM_SHAPE = """
            SELECT (SELECT count(*) FROM (
                        SELECT 1 FROM ferry_task
                        WHERE queue = ?1 AND state IN ('SCHEDULED', 'RETRYING') AND run_at <= ?2 LIMIT ?3)),
                   EXISTS (SELECT 1 FROM ferry_task WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NOT NULL)""";

    /**
     * A task that becomes PENDING other than by enqueue is placed by its run-at: every such
     * statement clears fair_at (the claim leaves it, so that it can return the position it took
     * the task at).
     */
    static final String PROMOTE_ONE = "UPDATE ferry_task SET state = 'PENDING', fair_at = NULL WHERE seq = ?";

    /**
     * Claims the next pending tasks of one queue in one statement, when none of them has a fair
     * position: the subquery walks the ready index in claim order, the update takes them by
     * rowid. RETURNING has no defined order, so the caller sorts the rows by (priority, position,
     * seq), the position being the run-at here. Parameters: queue, limit, token, lease expiry,
     * worker, now.
     */
    static final String CLAIM_PENDING = """
            UPDATE ferry_task
            SET state = 'ACTIVE', attempt = attempt + 1, lease_token = ?3, lease_expires_at = ?4, worker_id = ?5,
                started_at = ?6, cancel_requested = 0
            WHERE seq IN (SELECT seq FROM ferry_task
                          WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NULL
                          ORDER BY priority, run_at, seq LIMIT ?2)
            RETURNING seq, id, type, payload, priority, run_at, attempt, max_attempts, timeout_ms, enqueued_at,
                      headers""";

    /**
     * {@link #CLAIM_PENDING} for a queue with fairly placed tasks: the subquery merges the walks
     * of ferry_task_ready and ferry_task_fair in claim order (priority, position, seq), the
     * position being run_at or fair_at. Only used when fair rows exist: the merge costs tens of
     * microseconds per statement even when one side is empty.
     */
    static final String CLAIM_PENDING_FAIR = """
            UPDATE ferry_task
            SET state = 'ACTIVE', attempt = attempt + 1, lease_token = ?3, lease_expires_at = ?4, worker_id = ?5,
                started_at = ?6, cancel_requested = 0
            WHERE seq IN (SELECT seq FROM (
                              SELECT seq, priority, run_at AS position FROM ferry_task
                              WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NULL
                              UNION ALL
                              SELECT seq, priority, fair_at FROM ferry_task
                              WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NOT NULL
                              ORDER BY priority, position, seq LIMIT ?2))
            RETURNING seq, id, type, payload, priority, coalesce(fair_at, run_at), attempt, max_attempts, timeout_ms,
                      enqueued_at, headers""";

    /**
     * The next ready tasks of one queue in claim order when some scheduled/retrying ones are due:
     * the best pending ones merged with the best due ones, each with its position (the run-at:
     * no pending task of the queue has a fair position) and state (the counters need it). Only
     * the tasks taken change state ({@link #CLAIM_ONE}); the other due tasks stay scheduled until
     * promoted.
     */
    static final String READY_OR_DUE_OF_QUEUE = """
            SELECT * FROM (
                SELECT seq, id, type, payload, priority, run_at, attempt, max_attempts, timeout_ms, enqueued_at,
                       headers, state
                FROM ferry_task
                WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NULL
                ORDER BY priority, run_at, seq LIMIT ?3)
            UNION ALL
            SELECT * FROM (
                SELECT seq, id, type, payload, priority, run_at, attempt, max_attempts, timeout_ms, enqueued_at,
                       headers, state
                FROM ferry_task
                WHERE queue = ?1 AND state IN ('SCHEDULED', 'RETRYING') AND run_at <= ?2
                ORDER BY priority, run_at, seq LIMIT ?3)
            ORDER BY priority, run_at, seq LIMIT ?3""";

    /**
     * {@link #READY_OR_DUE_OF_QUEUE} for a queue with fairly placed tasks: both parts of claim
     * order merged with the due tasks (placed by run_at, as every task not pending from enqueue).
     */
    static final String READY_FAIR_OR_DUE_OF_QUEUE = """
            SELECT seq, id, type, payload, priority, run_at AS position, attempt, max_attempts, timeout_ms,
                   enqueued_at, headers, state
            FROM ferry_task
            WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NULL
            UNION ALL
            SELECT seq, id, type, payload, priority, fair_at, attempt, max_attempts, timeout_ms, enqueued_at,
                   headers, state
            FROM ferry_task
            WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NOT NULL
            UNION ALL
            SELECT * FROM (
                SELECT seq, id, type, payload, priority, run_at, attempt, max_attempts, timeout_ms, enqueued_at,
                       headers, state
                FROM ferry_task
                WHERE queue = ?1 AND state IN ('SCHEDULED', 'RETRYING') AND run_at <= ?2
                ORDER BY priority, run_at, seq LIMIT ?3)
            ORDER BY priority, position, seq LIMIT ?3""";

    static final String CLAIM_ONE = """
            UPDATE ferry_task
            SET state = 'ACTIVE', attempt = attempt + 1, lease_token = ?, lease_expires_at = ?,
                worker_id = ?, started_at = ?, cancel_requested = 0
            WHERE seq = ?""";

    static final String TOKEN_GET = "SELECT value FROM ferry_meta WHERE key = 'lease_token'";
    static final String TOKEN_SET = "UPDATE ferry_meta SET value = ? WHERE key = 'lease_token'";

    // ---- fenced operations ---------------------------------------------------------------

    /**
     * A task whose lease (id ?1, token ?2) is valid at now ?3, with what a failure outcome needs
     * to rewrite its error history; no row when the fence refuses the lease.
     */
    static final String FENCE = """
            SELECT seq, queue, unique_key, errors, dead_retention_ms
            FROM ferry_task
            WHERE id = ?1 AND state = 'ACTIVE' AND lease_token = ?2 AND lease_expires_at > ?3""";

    /**
     * The fence, in SQL: the lease is valid iff the task is active under that token and not yet
     * expired. Every fenced statement below takes id ?2, token ?3 and now ?4 for it.
     */
    private static final String FENCED = """
            WHERE id = ?2 AND state = 'ACTIVE' AND lease_token = ?3 AND lease_expires_at > ?4""";

    /** {@code now + retention} saturating at the largest integer (SQLite would turn an overflow into a REAL). */
    private static final String EXPIRES_AFTER_RETENTION =
            "CASE WHEN retention_ms > 9223372036854775807 - ?4 THEN 9223372036854775807 ELSE ?4 + retention_ms END";

    static final String RENEW_FENCED = """
            UPDATE ferry_task SET lease_expires_at = ?1
            %s
            RETURNING cancel_requested""".formatted(FENCED);

    static final String PROGRESS_FENCED = """
            UPDATE ferry_task SET progress = ?1
            %s""".formatted(FENCED);

    /** ?1 is the new lease expiry: NULL (bound, so every fenced statement has the same shape). */
    static final String RELEASE_FENCED = """
            UPDATE ferry_task SET state = 'PENDING', attempt = attempt - 1, lease_expires_at = ?1, fair_at = NULL
            %s
            RETURNING queue""".formatted(FENCED);

    static final String ACK_COMPLETED_FENCED = """
            UPDATE ferry_task
            SET state = 'COMPLETED', result = ?1, finished_at = ?4, lease_expires_at = NULL,
                expires_at = %s
            %s
            RETURNING queue, unique_key""".formatted(EXPIRES_AFTER_RETENTION, FENCED);

    static final String ACK_SNOOZE_FENCED = """
            UPDATE ferry_task
            SET state = 'SCHEDULED', run_at = ?1, attempt = attempt - 1, lease_expires_at = NULL
            %s
            RETURNING queue""".formatted(FENCED);

    /** ?1 is the new lease expiry: NULL, as in {@link #RELEASE_FENCED}. */
    static final String ACK_CANCELLED_FENCED = """
            UPDATE ferry_task
            SET state = 'CANCELLED', finished_at = ?4, lease_expires_at = ?1,
                expires_at = %s
            %s
            RETURNING queue, unique_key""".formatted(EXPIRES_AFTER_RETENTION, FENCED);

    static final String ACK_RETRY = """
            UPDATE ferry_task
            SET state = 'RETRYING', run_at = ?, errors = ?, lease_expires_at = NULL
            WHERE seq = ?""";

    /** Also used by lease recovery, which passes the raised {@code lease_expirations} (else NULL: kept). */
    static final String TO_DEAD = """
            UPDATE ferry_task
            SET state = 'DEAD', dead_reason = ?, errors = ?, finished_at = ?, expires_at = ?,
                lease_expires_at = NULL, lease_expirations = coalesce(?, lease_expirations)
            WHERE seq = ?""";

    /** Cancels an active (acked) or queued (admin) task. */
    static final String TO_CANCELLED = """
            UPDATE ferry_task
            SET state = 'CANCELLED', finished_at = ?, expires_at = ?, lease_expires_at = NULL
            WHERE seq = ?""";

    // ---- maintenance ---------------------------------------------------------------------

    static final String EXPIRED_LEASES = """
            SELECT seq, id, queue, attempt, max_attempts, lease_expirations, worker_id, unique_key, errors,
                   dead_retention_ms
            FROM ferry_task
            WHERE state = 'ACTIVE' AND lease_expires_at <= ?
            ORDER BY lease_expires_at LIMIT ?""";

    static final String RECOVER_TO_PENDING = """
            UPDATE ferry_task
            SET state = 'PENDING', run_at = ?, errors = ?, lease_expirations = ?, lease_expires_at = NULL,
                fair_at = NULL
            WHERE seq = ?""";

    static final String PRUNABLE = """
            SELECT seq, queue, state FROM ferry_task
            WHERE expires_at <= ? AND state IN ('COMPLETED', 'DEAD', 'CANCELLED')
            ORDER BY expires_at LIMIT ?""";

    static final String DELETE_ONE = "DELETE FROM ferry_task WHERE seq = ?";

    static final String PRUNE_UNIQUE = "DELETE FROM ferry_unique WHERE expires_at <= ?";
    static final String PRUNE_IDEMPOTENCY = "DELETE FROM ferry_idempotency WHERE expires_at <= ?";
    static final String PRUNE_WORKERS = "DELETE FROM ferry_worker WHERE last_heartbeat < ?";

    // ---- admin ---------------------------------------------------------------------------

    static final String ADMIN_FIND = """
            SELECT seq, queue, state, unique_key, retention_ms FROM ferry_task WHERE id = ?""";

    /** Back to pending now with a fresh attempt budget (errors are kept as history). */
    static final String RETRY_ONE = """
            UPDATE ferry_task
            SET state = 'PENDING', run_at = ?, attempt = 0, lease_expirations = 0, dead_reason = NULL,
                finished_at = NULL, expires_at = NULL, lease_expires_at = NULL, fair_at = NULL
            WHERE seq = ?""";

    static final String REQUEST_CANCEL = "UPDATE ferry_task SET cancel_requested = 1 WHERE seq = ?";

    static final String DEAD_COUNT_BY_QUEUE = """
            SELECT queue, count(*) FROM ferry_task WHERE state = 'DEAD' GROUP BY queue""";

    static final String DEAD_COUNT_OF_QUEUE = """
            SELECT count(*) FROM ferry_task WHERE state = 'DEAD' AND queue = ?""";

    static final String REPLAY_ALL = """
            UPDATE ferry_task
            SET state = 'PENDING', run_at = ?, attempt = 0, lease_expirations = 0, dead_reason = NULL,
                finished_at = NULL, expires_at = NULL, fair_at = NULL
            WHERE state = 'DEAD'""";

    static final String REPLAY_QUEUE = REPLAY_ALL + " AND queue = ?";

    /** Keys held by the tasks a purge is about to delete (the holder must be one of them). */
    static String purgeUnique(TaskState state) {
        String purged = "SELECT %s FROM ferry_task WHERE queue = ?1 AND " + stateFilter(state)
                + " AND unique_key IS NOT NULL";
        return "DELETE FROM ferry_unique WHERE key IN (" + purged.formatted("unique_key")
                + ") AND task_id IN (" + purged.formatted("id") + ")";
    }

    static String purge(TaskState state) {
        return "DELETE FROM ferry_task WHERE queue = ?1 AND " + stateFilter(state);
    }

    static final String QUEUE_ENSURE = "INSERT INTO ferry_queue (name) VALUES (?) ON CONFLICT (name) DO NOTHING";

    static final String QUEUE_SET_PAUSED = "UPDATE ferry_queue SET paused = ? WHERE name = ? AND paused <> ?";

    /** The per-state count columns of ferry_queue, in the order {@link #QUEUE_ADD} and {@link #QUEUE_ROW} use. */
    static final List<TaskState> COUNT_COLUMNS = List.of(TaskState.SCHEDULED, TaskState.PENDING, TaskState.ACTIVE,
            TaskState.RETRYING, TaskState.WAITING, TaskState.COMPLETED, TaskState.DEAD, TaskState.CANCELLED);

    /** Applies one transaction's count changes for a queue in one statement. */
    static final String QUEUE_ADD = """
            INSERT INTO ferry_queue (name, scheduled, pending, active, retrying, waiting, completed, dead,
                                     cancelled, processed_total, failed_total, dead_total, poisoned_total)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET
                scheduled       = scheduled + excluded.scheduled,
                pending         = pending + excluded.pending,
                active          = active + excluded.active,
                retrying        = retrying + excluded.retrying,
                waiting         = waiting + excluded.waiting,
                completed       = completed + excluded.completed,
                dead            = dead + excluded.dead,
                cancelled       = cancelled + excluded.cancelled,
                processed_total = processed_total + excluded.processed_total,
                failed_total    = failed_total + excluded.failed_total,
                dead_total      = dead_total + excluded.dead_total,
                poisoned_total  = poisoned_total + excluded.poisoned_total""";

    // ---- coordination --------------------------------------------------------------------

    static final String IDEMPOTENCY_GET = "SELECT value FROM ferry_idempotency WHERE key = ? AND expires_at > ?";

    static final String IDEMPOTENCY_PUT = """
            INSERT INTO ferry_idempotency (key, value, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at""";

    static final String LEADER_GET = "SELECT holder, until FROM ferry_leader WHERE name = ?";

    static final String LEADER_PUT = """
            INSERT INTO ferry_leader (name, holder, until) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until""";

    // ---- flow control and records ---------------------------------------------------------

    static final String BUCKET_GET = "SELECT tokens, at, full_at FROM ferry_bucket WHERE name = ?";

    static final String BUCKET_PUT = """
            INSERT INTO ferry_bucket (name, tokens, at, full_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, at = excluded.at, full_at = excluded.full_at""";

    static final String PRUNE_BUCKETS = "DELETE FROM ferry_bucket WHERE full_at <= ?";

    /** Live holders of a semaphore (?1) at now (?2). */
    static final String SEMAPHORE_HOLDERS = """
            SELECT holder, expires_at FROM ferry_semaphore WHERE name = ?1 AND expires_at > ?2""";

    static final String SEMAPHORE_PUT = """
            INSERT INTO ferry_semaphore (name, holder, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (name, holder) DO UPDATE SET expires_at = excluded.expires_at""";

    /** Removes a holder; returns its expiry, so the caller knows whether the slot was live. */
    static final String SEMAPHORE_DELETE = """
            DELETE FROM ferry_semaphore WHERE name = ? AND holder = ? RETURNING expires_at""";

    static final String PRUNE_SEMAPHORES = "DELETE FROM ferry_semaphore WHERE expires_at <= ?";

    static final String RECORD_GET = "SELECT key, json, updated_at FROM ferry_record WHERE namespace = ? AND key = ?";

    static final String RECORD_ALL = "SELECT key, json, updated_at FROM ferry_record WHERE namespace = ? ORDER BY key";

    static final String RECORD_PUT = """
            INSERT INTO ferry_record (namespace, key, json, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (namespace, key) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at""";

    static final String RECORD_PUT_IF_ABSENT = """
            INSERT INTO ferry_record (namespace, key, json, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (namespace, key) DO NOTHING""";

    static final String RECORD_DELETE = "DELETE FROM ferry_record WHERE namespace = ? AND key = ?";

    static final String WORKER_PUT = """
            INSERT INTO ferry_worker (worker_id, host, pid, queues, concurrency, busy, started_at, last_heartbeat)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (worker_id) DO UPDATE SET
                host = excluded.host, pid = excluded.pid, queues = excluded.queues,
                concurrency = excluded.concurrency, busy = excluded.busy, started_at = excluded.started_at,
                last_heartbeat = excluded.last_heartbeat""";

    static final String WORKER_DELETE = "DELETE FROM ferry_worker WHERE worker_id = ?";

    static final String WORKERS_ALIVE = """
            SELECT worker_id, host, pid, queues, concurrency, busy, started_at, last_heartbeat
            FROM ferry_worker WHERE last_heartbeat >= ? ORDER BY worker_id""";

    // ---- stats and listing ---------------------------------------------------------------

    /**
     * The condition selecting one state, with the term that lets SQLite use that state's partial
     * index. State names are enum constants, so inlining them is safe.
     */
    static String stateFilter(TaskState state) {
        String own = "state = '" + state.name() + "'";
        return switch (state) {
            case SCHEDULED, RETRYING -> own + " AND state IN ('SCHEDULED', 'RETRYING')";
            case COMPLETED, DEAD, CANCELLED -> own + " AND finished_at IS NOT NULL";
            case PENDING, ACTIVE, WAITING -> own;
        };
    }

    /**
     * One page of a state, in the order the SPI gives for it. Parameters: limit, offset, and the
     * queue when {@code byQueue}.
     */
    static String list(TaskState state, boolean byQueue) {
        String queue = byQueue ? " AND queue = ?3" : "";
        if (state == TaskState.PENDING) {
            // Claim order: both parts merged as the claim does (the extra columns are not read).
            return "SELECT " + TASK_COLUMNS + ", seq, run_at AS position FROM ferry_task"
                    + " WHERE state = 'PENDING' AND fair_at IS NULL" + queue
                    + " UNION ALL SELECT " + TASK_COLUMNS + ", seq, fair_at FROM ferry_task"
                    + " WHERE state = 'PENDING' AND fair_at IS NOT NULL" + queue
                    + " ORDER BY priority, position, seq LIMIT ?1 OFFSET ?2";
        }
        String order = switch (state) {
            case PENDING, WAITING -> "priority, run_at, seq";
            case SCHEDULED, RETRYING -> "run_at, seq";
            case ACTIVE -> "started_at, seq";
            case COMPLETED, DEAD, CANCELLED -> "finished_at DESC, seq DESC";
        };
        return "SELECT " + TASK_COLUMNS + " FROM ferry_task WHERE " + stateFilter(state)
                + queue + " ORDER BY " + order + " LIMIT ?1 OFFSET ?2";
    }

    static final String QUEUE_ROW = """
            SELECT name, paused, scheduled, pending, active, retrying, waiting, completed, dead, cancelled,
                   processed_total, failed_total, dead_total, poisoned_total
            FROM ferry_queue""";

    static final String QUEUE_ROW_ONE = QUEUE_ROW + " WHERE name = ?";

    static final String QUEUE_ROW_ALL = QUEUE_ROW + " ORDER BY name";

    /**
     * The smallest run_at among a queue's pending tasks. The ready index is ordered by priority
     * first, so a plain min() would scan every pending task; instead walk the distinct priorities
     * (at most 101) and take the first run_at of each: a few index seeks however long the queue.
     * Fairly placed tasks are ordered by position, not run_at: their smallest run_at comes from
     * ferry_task_fair_age, one more seek.
     */
    static final String OLDEST_PENDING = """
            WITH RECURSIVE p(priority) AS (
                SELECT (SELECT min(priority) FROM ferry_task WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NULL)
                UNION ALL
                SELECT (SELECT min(priority) FROM ferry_task
                        WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NULL AND priority > p.priority)
                FROM p WHERE p.priority IS NOT NULL
            )
            SELECT min(oldest) FROM (
                SELECT (SELECT run_at FROM ferry_task
                        WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NULL AND priority = p.priority
                        ORDER BY run_at LIMIT 1) AS oldest
                FROM p WHERE p.priority IS NOT NULL
                UNION ALL
                SELECT min(run_at) FROM ferry_task WHERE queue = ?1 AND state = 'PENDING' AND fair_at IS NOT NULL)""";
}
