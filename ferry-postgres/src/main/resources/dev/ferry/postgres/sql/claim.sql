-- claim: leases up to :max ready tasks of one queue in claim order (priority, run_at, seq), in
-- one statement. Ready = PENDING (read from the task_ready index in its order), or SCHEDULED /
-- RETRYING with run_at <= now (the due tasks, not yet promoted). FOR UPDATE SKIP LOCKED: claims
-- running at the same time take different rows and never wait for each other. A paused queue
-- yields nothing.
--
-- Due tasks are merged from a window of the :window earliest-due ones. When that window is full
-- (due_seen = :window), the caller promotes the queue's due tasks and claims again, so the
-- order stays exact however many due tasks piled up.
--
-- The rows are updated by primary key (= ANY(ARRAY(...))), never found by scanning the table.
-- Parameters: :queue text, :max int4, :window int4, :lease_us int8, :worker text
-- Returns: the tasks taken (unordered: the caller sorts by priority, run_at, seq), each with the
--   new attempt, token and lease expiry, and due_seen.
WITH queue_open AS (
    SELECT NOT EXISTS (SELECT 1 FROM {schema}.queue WHERE name = :queue AND paused) AS is_open
),
pending AS (
    SELECT id, priority, run_at, seq FROM {schema}.task
    WHERE queue = :queue AND state = 'PENDING' AND (SELECT is_open FROM queue_open)
    ORDER BY priority, run_at, seq
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
    SELECT id, priority, run_at, seq FROM {schema}.task
    WHERE id IN (SELECT id FROM due_window) AND state IN ('SCHEDULED', 'RETRYING') AND run_at <= {now}
    ORDER BY priority, run_at, seq
    LIMIT :max
    FOR UPDATE SKIP LOCKED
),
chosen AS (
    SELECT id FROM (SELECT * FROM pending UNION ALL SELECT * FROM due) AS c
    ORDER BY priority, run_at, seq
    LIMIT :max
),
token AS (
    SELECT nextval('{schema}.lease_token_seq') AS token
)
UPDATE {schema}.task AS t
SET state = 'ACTIVE',
    attempt = t.attempt + 1,
    lease_token = (SELECT token FROM token),
    lease_expires_at = {now} + {schema}.micros(:lease_us),
    worker_id = :worker,
    started_at = {now},
    cancel_requested = false
WHERE t.id = ANY(ARRAY(SELECT id FROM chosen))
RETURNING t.id, t.type, t.payload, t.priority, t.run_at, t.seq, t.attempt, t.max_attempts, t.timeout_us,
          t.enqueued_at, t.lease_token, t.lease_expires_at, t.headers,
          (SELECT count(*) FROM due_window) AS due_seen
