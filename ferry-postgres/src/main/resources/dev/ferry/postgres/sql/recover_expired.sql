-- recoverExpired: takes ACTIVE tasks whose lease expired (at most :limit, earliest expiry first,
-- skipping rows another transaction holds), counts the expiry and records a lease-expired
-- error. Each then goes DEAD as POISON when its expirations reach :max_expirations, DEAD as
-- FAILED when it has no attempts left (both move to task_done and release their unique key),
-- else back to PENDING with run_at = now.
-- Parameters: :limit int4, :max_expirations int4
-- Returns: queue and outcome ('PENDING', 'POISON' or 'FAILED') of each task recovered.
WITH expired AS (
    SELECT id, lease_expirations + 1 AS expirations,
           CASE WHEN lease_expirations + 1 >= :max_expirations THEN 'POISON'
                WHEN attempt >= max_attempts THEN 'FAILED' END AS dead_reason,
           jsonb_build_object('attempt', attempt, 'errorType', 'lease-expired',
                              'message', 'lease expired (worker ' || coalesce(worker_id, 'unknown') || ')',
                              'stackTrace', '', 'at', {schema}.iso({now})) AS error
    FROM {schema}.task
    WHERE state = 'ACTIVE' AND lease_expires_at <= {now}
    ORDER BY lease_expires_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
),
requeued AS (
    UPDATE {schema}.task AS t
    SET state = 'PENDING', run_at = {now}, lease_expirations = e.expirations,
        errors = {schema}.append_error(t.errors, e.error), lease_expires_at = NULL
    FROM expired AS e
    WHERE t.id = e.id AND e.dead_reason IS NULL AND t.id = ANY(ARRAY(SELECT id FROM expired))
    RETURNING t.queue
),
moved AS (
    DELETE FROM {schema}.task AS t
    USING expired AS e
    WHERE t.id = e.id AND e.dead_reason IS NOT NULL AND t.id = ANY(ARRAY(SELECT id FROM expired))
    RETURNING t.*, e.expirations, e.dead_reason AS outcome_reason, e.error AS outcome_error
),
finished AS (
    INSERT INTO {schema}.task_done (seq, id, queue, type, payload, priority, state, attempt, max_attempts, timeout_us, run_at, enqueued_at,
                                started_at, finished_at, expires_at, lease_token, lease_expires_at, worker_id, unique_key,
                                progress, result, errors, lease_expirations, cancel_requested, dead_reason, headers,
                                retention_us, dead_retention_us)
    SELECT seq, id, queue, type, payload, priority, 'DEAD', attempt, max_attempts, timeout_us, run_at,
           enqueued_at, started_at, {now}, {now} + {schema}.micros(dead_retention_us), lease_token, NULL, worker_id,
           unique_key, progress, result, {schema}.append_error(errors, outcome_error), expirations,
           cancel_requested, outcome_reason, headers, retention_us, dead_retention_us
    FROM moved
),
released AS (
    DELETE FROM {schema}.unique_key AS k USING moved AS m WHERE k.key = m.unique_key AND k.task_id = m.id
)
SELECT queue, 'PENDING' AS outcome FROM requeued
UNION ALL
SELECT queue, outcome_reason FROM moved
