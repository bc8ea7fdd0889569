-- ack, Dead outcomes: each fenced task moves to task_done as DEAD with its reason and the error
-- appended (when not NULL), finished now and kept until now + dead retention; its unique key is
-- released.
-- Parameters: :ids text[], :tokens int8[], :reasons text[] (DeadReason names), :errors text[]
--   (JSON objects or NULL)
-- Returns: id, queue and dead_reason of each task killed.
WITH locked AS MATERIALIZED (
    -- lock the rows in id order first: renew and ack batches of one worker run concurrently, and
    -- locking in the same order is what keeps them from deadlocking
    SELECT id FROM {schema}.task WHERE id = ANY(:ids::text[]) AND state = 'ACTIVE' ORDER BY id FOR UPDATE
),
moved AS (
    DELETE FROM {schema}.task AS t
    USING unnest(:ids::text[], :tokens::int8[], :reasons::text[], :errors::text[]) AS a(id, token, reason, error)
    WHERE t.id IN (SELECT id FROM locked) AND t.id = a.id AND t.state = 'ACTIVE' AND t.lease_token = a.token AND t.lease_expires_at > {now}
    RETURNING t.*, a.reason AS outcome_reason, a.error AS outcome_error
),
finished AS (
    INSERT INTO {schema}.task_done (seq, id, queue, type, payload, priority, state, attempt, max_attempts, timeout_us, run_at, enqueued_at,
                                started_at, finished_at, expires_at, lease_token, lease_expires_at, worker_id, unique_key,
                                progress, result, errors, lease_expirations, cancel_requested, dead_reason, headers,
                                retention_us, dead_retention_us)
    SELECT seq, id, queue, type, payload, priority, 'DEAD', attempt, max_attempts, timeout_us, run_at,
           enqueued_at, started_at, {now}, {now} + {schema}.micros(dead_retention_us), lease_token, NULL, worker_id,
           unique_key, progress, result, {schema}.append_error(errors, outcome_error::jsonb), lease_expirations,
           cancel_requested, outcome_reason, headers, retention_us, dead_retention_us
    FROM moved
),
released AS (
    DELETE FROM {schema}.unique_key AS k USING moved AS m WHERE k.key = m.unique_key AND k.task_id = m.id
)
SELECT id, queue, outcome_reason AS dead_reason FROM moved
