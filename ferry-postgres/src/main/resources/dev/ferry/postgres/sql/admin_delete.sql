-- admin Delete(id): deletes a task that is not ACTIVE, from either table, releasing its unique
-- key (a finished task released it already).
-- Parameters: :id text
-- Returns: queue and state of the task deleted.
WITH hot AS (
    DELETE FROM {schema}.task WHERE id = :id AND state <> 'ACTIVE' RETURNING queue, state, id, unique_key
),
finished AS (
    DELETE FROM {schema}.task_done WHERE id = :id RETURNING queue, state
),
released AS (
    DELETE FROM {schema}.unique_key AS k USING hot AS h WHERE k.key = h.unique_key AND k.task_id = h.id
)
SELECT queue, state FROM hot
UNION ALL
SELECT queue, state FROM finished
