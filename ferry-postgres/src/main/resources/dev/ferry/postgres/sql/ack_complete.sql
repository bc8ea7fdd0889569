-- ack, Completed outcomes: each fenced task moves to task_done as COMPLETED with its result,
-- finished now and kept until now + retention; its unique key is released.
-- With :count_stats (when this is the transaction's only writing statement, sent together with
-- COMMIT) it also adds the completions to the caller's stat slot, as record_stats_and_wake
-- would: one round trip for the whole ack. Otherwise the caller counts them.
-- Parameters: :ids text[], :tokens int8[], :results text[] (sorted by id), :count_stats bool
-- Returns: id and queue of each task completed (the other acks were refused by the fence).
WITH locked AS MATERIALIZED (
    -- lock the rows in id order first: renew and ack batches of one worker run concurrently, and
    -- locking in the same order is what keeps them from deadlocking
    SELECT id FROM {schema}.task WHERE id = ANY(:ids::text[]) AND state = 'ACTIVE' ORDER BY id FOR UPDATE
),
moved AS (
    DELETE FROM {schema}.task AS t
    USING unnest(:ids::text[], :tokens::int8[], :results::text[]) AS a(id, token, result)
    WHERE t.id IN (SELECT id FROM locked) AND t.id = a.id AND t.state = 'ACTIVE' AND t.lease_token = a.token AND t.lease_expires_at > {now}
    RETURNING t.*, a.result AS outcome_result
),
finished AS (
    INSERT INTO {schema}.task_done (seq, id, queue, type, payload, priority, state, attempt, max_attempts, timeout_us, run_at, enqueued_at,
                                started_at, finished_at, expires_at, lease_token, lease_expires_at, worker_id, unique_key,
                                progress, result, errors, lease_expirations, cancel_requested, dead_reason, headers,
                                retention_us, dead_retention_us)
    SELECT seq, id, queue, type, payload, priority, 'COMPLETED', attempt, max_attempts, timeout_us, run_at,
           enqueued_at, started_at, {now}, {now} + {schema}.micros(retention_us), lease_token, NULL, worker_id,
           unique_key, progress, outcome_result, errors, lease_expirations, cancel_requested, NULL, headers,
           retention_us, dead_retention_us
    FROM moved
),
released AS (
    DELETE FROM {schema}.unique_key AS k USING moved AS m WHERE k.key = m.unique_key AND k.task_id = m.id
),
counted AS (
    INSERT INTO {schema}.queue_stat AS s (queue, slot, completed, processed_total)
    SELECT queue, pg_backend_pid() % 64, count(*), count(*)
    FROM moved WHERE :count_stats GROUP BY queue ORDER BY queue
    ON CONFLICT (queue, slot) DO UPDATE SET
        completed       = s.completed + excluded.completed,
        processed_total = s.processed_total + excluded.processed_total
)
SELECT id, queue FROM moved
