-- admin Cancel(id): a PENDING, SCHEDULED, RETRYING or WAITING task moves to task_done as
-- CANCELLED (finished now, kept until now + retention, unique key released); an ACTIVE one only
-- gets cancel_requested, which its worker learns at its next renew.
-- Parameters: :id text
-- Returns: queue and what happened ('CANCELLED' or 'REQUESTED'); no row for finished or
--   missing tasks.
WITH moved AS (
    DELETE FROM {schema}.task
    WHERE id = :id AND state IN ('PENDING', 'SCHEDULED', 'RETRYING', 'WAITING')
    RETURNING *
),
finished AS (
    INSERT INTO {schema}.task_done (seq, id, queue, type, payload, priority, state, attempt, max_attempts, timeout_us, run_at, enqueued_at,
                           started_at, finished_at, expires_at, lease_token, lease_expires_at, worker_id, unique_key,
                           progress, result, errors, lease_expirations, cancel_requested, dead_reason, headers,
                           retention_us, dead_retention_us)
    SELECT seq, id, queue, type, payload, priority, 'CANCELLED', attempt, max_attempts, timeout_us, run_at,
           enqueued_at, started_at, {now}, {now} + {schema}.micros(retention_us), lease_token, NULL, worker_id,
           unique_key, progress, result, errors, lease_expirations, cancel_requested, NULL, headers,
           retention_us, dead_retention_us
    FROM moved
),
released AS (
    DELETE FROM {schema}.unique_key AS k USING moved AS m WHERE k.key = m.unique_key AND k.task_id = m.id
),
requested AS (
    UPDATE {schema}.task SET cancel_requested = true
    WHERE id = :id AND state = 'ACTIVE'
    RETURNING queue
)
SELECT queue, 'CANCELLED' AS outcome FROM moved
UNION ALL
SELECT queue, 'REQUESTED' FROM requested
