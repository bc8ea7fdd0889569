-- list, PENDING and WAITING tasks in claim order (priority, position, seq): the position is
-- coalesce(fair_at, run_at), as in claim.sql; only the run-at is shown.
-- Parameters: :state text, :queue text or NULL for all queues, :limit int4 (one more than the
--   page, to tell whether more follow), :offset int4
SELECT id, queue, type, payload, priority, state, attempt, max_attempts, timeout_us, run_at, enqueued_at, started_at,
       finished_at, expires_at, lease_expires_at, worker_id, unique_key, progress, result, errors,
       lease_expirations, cancel_requested, dead_reason, headers, retention_us, dead_retention_us
FROM {schema}.task
WHERE state = :state AND (:queue::text IS NULL OR queue = :queue::text)
ORDER BY priority, coalesce(fair_at, run_at), seq
LIMIT :limit OFFSET :offset
