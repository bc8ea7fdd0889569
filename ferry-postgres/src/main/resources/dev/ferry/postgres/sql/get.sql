-- get(id): the task from whichever table holds it.
-- Parameters: :id text
-- Returns: the task's columns, or no row.
SELECT id, queue, type, payload, priority, state, attempt, max_attempts, timeout_us, run_at, enqueued_at, started_at,
       finished_at, expires_at, lease_expires_at, worker_id, unique_key, progress, result, errors,
       lease_expirations, cancel_requested, dead_reason, headers, retention_us, dead_retention_us
FROM {schema}.task WHERE id = :id
UNION ALL
SELECT id, queue, type, payload, priority, state, attempt, max_attempts, timeout_us, run_at, enqueued_at, started_at,
       finished_at, expires_at, lease_expires_at, worker_id, unique_key, progress, result, errors,
       lease_expirations, cancel_requested, dead_reason, headers, retention_us, dead_retention_us
FROM {schema}.task_done WHERE id = :id
