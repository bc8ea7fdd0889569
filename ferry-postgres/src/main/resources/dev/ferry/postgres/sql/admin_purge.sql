-- admin Purge(queue, states): deletes the queue's tasks in those states (never ACTIVE ones, which
-- the caller leaves out), releasing the unique keys of unfinished ones.
-- Parameters: :queue text, :states text[]
-- Returns: the state of each task deleted.
WITH hot AS (
    DELETE FROM {schema}.task
    WHERE queue = :queue AND state = ANY(:states::text[]) AND state <> 'ACTIVE'
    RETURNING state, id, unique_key
),
finished AS (
    DELETE FROM {schema}.task_done WHERE queue = :queue AND state = ANY(:states::text[]) RETURNING state
),
released AS (
    DELETE FROM {schema}.unique_key AS k USING hot AS h WHERE k.key = h.unique_key AND k.task_id = h.id
)
SELECT state FROM hot
UNION ALL
SELECT state FROM finished
