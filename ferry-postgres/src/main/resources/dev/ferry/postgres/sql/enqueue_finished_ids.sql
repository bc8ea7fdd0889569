-- enqueue, second step: which of the tasks just stored have an id that a finished task still
-- uses. Runs as its own statement after the insert: an insert that waited for a concurrent
-- transaction moving the same id to task_done sees that move here.
-- One primary-key probe per id (the LATERAL ... LIMIT 1 cannot be turned into a join): for a
-- batch of a thousand ids the planner would otherwise scan task_done, whose size is the history.
-- Parameters: :ids text[]
-- Returns: the ids found in task_done.
SELECT i.id
FROM unnest(:ids::text[]) AS i(id)
CROSS JOIN LATERAL (SELECT 1 FROM {schema}.task_done AS d WHERE d.id = i.id LIMIT 1) AS found
