-- admin ReplayDead(queue): every DEAD task (of the queue, or of all queues when :queue is NULL)
-- goes back to the hot table as PENDING now, as admin Retry does (tenant from its ferry-tenant
-- header, placed by its run-at).
-- Parameters: :queue text or NULL
-- Returns: the queue of each task replayed.
WITH moved AS (
    DELETE FROM {schema}.task_done
    WHERE state = 'DEAD' AND (:queue::text IS NULL OR queue = :queue::text)
    RETURNING *
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
SELECT queue FROM moved
