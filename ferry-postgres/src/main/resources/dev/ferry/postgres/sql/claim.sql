-- claim: leases up to :max ready tasks of one queue in claim order (priority, position, seq), in
-- one statement. A task's position is coalesce(fair_at, run_at): its fair position while it
-- holds one (a tenanted task PENDING from enqueue, docs/spi.md "Fair claim order"), else its
-- run-at. Ready = PENDING (read from the task_ready index in its order), or SCHEDULED /
-- RETRYING with run_at <= now (the due tasks, not yet promoted; placed by run-at, they hold no
-- fair position). FOR UPDATE SKIP LOCKED: claims running at the same time take different rows
-- and never wait for each other. A paused queue yields nothing.
--
-- A claimed task loses its fair position (fair_at = NULL): PENDING again later (released,
-- recovered, retried) it is placed by its run-at.
--
-- Due tasks are merged from a window of the :window earliest-due ones. When that window is full
-- (:window due tasks or more), due tasks beyond it could outrank the ones the window holds: the
-- statement then takes NOTHING and returns one marker row (id NULL, window_full true); the
-- caller promotes the queue's due tasks and claims again, so the order stays exact however many
-- due tasks piled up. Taking nothing in that case lets the statement run as its own
-- transaction (auto-commit, one round trip): there is never a claim to roll back.
--
-- The rows are updated by primary key (= ANY(ARRAY(...))), never found by scanning the table.
-- With :guard false (the claim right after such a promotion) the window is merged as it is.
-- Parameters: :queue text, :max int4, :window int4, :guard bool, :lease_us int8, :worker text
-- Returns: the tasks taken (unordered: the caller sorts by priority, position, seq), each with
--   the position it was claimed at, the new attempt, token and lease expiry, window_full false;
--   or only the marker row.
WITH queue_open AS (
    SELECT NOT EXISTS (SELECT 1 FROM {schema}.queue WHERE name = :queue AND paused) AS is_open
),
pending AS (
    SELECT id, priority, coalesce(fair_at, run_at) AS position, seq FROM {schema}.task
    WHERE queue = :queue AND state = 'PENDING' AND (SELECT is_open FROM queue_open)
    ORDER BY priority, coalesce(fair_at, run_at), seq
    LIMIT :max
    FOR UPDATE SKIP LOCKED
),
due_window AS (
    SELECT id FROM {schema}.task
    WHERE queue = :queue AND state IN ('SCHEDULED', 'RETRYING') AND run_at <= {now} AND (SELECT is_open FROM queue_open)
    ORDER BY run_at, seq
    LIMIT :window
),
due AS (
    SELECT id, priority, run_at AS position, seq FROM {schema}.task
    WHERE id IN (SELECT id FROM due_window) AND state IN ('SCHEDULED', 'RETRYING') AND run_at <= {now}
    ORDER BY priority, run_at, seq
    LIMIT :max
    FOR UPDATE SKIP LOCKED
),
window_full AS (
    SELECT :guard AND count(*) >= :window AS is_full FROM due_window
),
chosen AS (
    SELECT id, position FROM (SELECT * FROM pending UNION ALL SELECT * FROM due) AS c
    WHERE NOT (SELECT is_full FROM window_full)
    ORDER BY priority, position, seq
    LIMIT :max
),
token AS (
    SELECT nextval('{schema}.lease_token_seq') AS token
),
claimed AS (
    UPDATE {schema}.task AS t
    SET state = 'ACTIVE',
        attempt = t.attempt + 1,
        lease_token = (SELECT token FROM token),
        lease_expires_at = {now} + {schema}.micros(:lease_us),
        worker_id = :worker,
        started_at = {now},
        cancel_requested = false,
        fair_at = NULL
    WHERE t.id = ANY(ARRAY(SELECT id FROM chosen))
    RETURNING t.id, t.type, t.payload, t.priority, t.seq, t.attempt, t.max_attempts, t.timeout_us,
              t.enqueued_at, t.lease_token, t.lease_expires_at, t.headers
)
SELECT claimed.id, type, payload, priority, chosen.position, seq, attempt, max_attempts, timeout_us, enqueued_at,
       lease_token, lease_expires_at, headers, false AS window_full
FROM claimed JOIN chosen ON chosen.id = claimed.id
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true
FROM window_full WHERE is_full
