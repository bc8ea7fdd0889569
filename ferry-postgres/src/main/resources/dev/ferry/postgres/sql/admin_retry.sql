-- admin Retry(id): a RETRYING or SCHEDULED task, or a DEAD or CANCELLED one (moved back from
-- task_done), becomes PENDING now with attempt and lease expirations reset, dead reason and
-- finish times cleared; its errors are kept as history. It is placed by its run-at (now): no
-- fair position. One moved back takes its tenant from its ferry-tenant header (task_done keeps
-- no tenant column).
-- Parameters: :id text
-- Returns: queue and former state of the task retried (no row when it was not retryable).
WITH waiting AS (
    UPDATE {schema}.task
    SET state = 'PENDING', run_at = {now}, attempt = 0, lease_expirations = 0, lease_expires_at = NULL
    WHERE id = :id AND state IN ('RETRYING', 'SCHEDULED')
    RETURNING queue, 'SCHEDULED' AS former
),
moved AS (
    DELETE FROM {schema}.task_done WHERE id = :id AND state IN ('DEAD', 'CANCELLED') RETURNING *
),
back AS (
    INSERT INTO {schema}.task (seq, id, queue, type, payload, priority, state, attempt, max_attempts, timeout_us, run_at, enqueued_at,
                           started_at, finished_at, expires_at, lease_token, lease_expires_at, worker_id, unique_key,
                           progress, result, errors, lease_expirations, cancel_requested, dead_reason, headers,
                           retention_us, dead_retention_us, tenant)
    SELECT seq, id, queue, type, payload, priority, 'PENDING', 0, max_attempts, timeout_us, {now}, enqueued_at,
           started_at, NULL, NULL, lease_token, NULL, worker_id, unique_key, progress, result, errors, 0,
           cancel_requested, NULL, headers, retention_us, dead_retention_us, headers ->> 'ferry-tenant'
    FROM moved
)
SELECT queue, former FROM waiting
UNION ALL
SELECT queue, state FROM moved
