-- enqueue: stores new tasks in the hot table, in batch order, skipping ids it already holds,
-- and records their queues as known. Duplicate ids within the batch were removed by the caller.
-- For batches without tenants: a batch with a tenanted task uses enqueue_fair.sql, which also
-- stores the tenant and the fair position (here both stay NULL).
--
-- Parameters, arrays of one element per task:
--   :ids, :queues, :types, :payloads          text[]
--   :priorities, :max_attempts                int4[]
--   :run_ats          text[]  ISO-8601 instant, or NULL to use the delay
--   :delays_us        int8[]  delay from now when run_at is NULL
--   :timeouts_us, :retentions_us, :dead_retentions_us   int8[]
--   :unique_keys      text[]  NULL for none
--   :headers          text[]  JSON object, or NULL for none
-- Returns: id and state of every task stored (a missing id is a duplicate of a task in the hot
--   table).
-- A task is SCHEDULED when its run-at is after now, else PENDING (a past run-at is kept).
WITH input AS (
    SELECT *
    FROM unnest(:ids::text[], :queues::text[], :types::text[], :payloads::text[], :priorities::int4[],
                :run_ats::text[], :delays_us::int8[], :max_attempts::int4[], :timeouts_us::int8[],
                :unique_keys::text[], :headers::text[], :retentions_us::int8[], :dead_retentions_us::int8[])
         WITH ORDINALITY AS i(id, queue, type, payload, priority, run_at, delay_us, max_attempts, timeout_us,
                              unique_key, headers, retention_us, dead_retention_us, ord)
),
known AS (
    INSERT INTO {schema}.queue (name)
    SELECT DISTINCT queue FROM input ORDER BY queue
    ON CONFLICT (name) DO NOTHING
)
INSERT INTO {schema}.task (id, queue, type, payload, priority, state, max_attempts, timeout_us, run_at,
                           enqueued_at, unique_key, headers, retention_us, dead_retention_us)
SELECT id, queue, type, payload, priority,
       CASE WHEN due > {now} THEN 'SCHEDULED' ELSE 'PENDING' END,
       max_attempts, timeout_us, due, {now}, unique_key, headers::jsonb, retention_us, dead_retention_us
FROM (SELECT input.*, coalesce(run_at::timestamptz, {now} + {schema}.micros(delay_us)) AS due FROM input) AS t
ORDER BY ord
ON CONFLICT (id) DO NOTHING
RETURNING id, state
