-- enqueue, second and last step when no task of the batch has a unique key: refuses the tasks
-- just stored whose id a finished task still uses (as enqueue_finished_ids + enqueue_undo), and
-- notifies the wake-up channel for the queues that got ready work, in one statement. A statement
-- of its own after the insert, for the same reason as enqueue_finished_ids. The broker sends it
-- together with COMMIT (one round trip for the rest of the enqueue). A queue woken for a task
-- that turns out refused costs an idle worker one empty claim: harmless.
-- Parameters: :ids text[] (the ids just stored), :channel text, :wake text[] (empty: no NOTIFY)
-- Returns: the ids refused (found in task_done; their new rows are deleted).
WITH found AS (
    SELECT i.id
    FROM unnest(:ids::text[]) AS i(id)
    CROSS JOIN LATERAL (SELECT 1 FROM {schema}.task_done AS d WHERE d.id = i.id LIMIT 1) AS f
),
undone AS (
    DELETE FROM {schema}.task AS t USING found WHERE t.id = found.id
)
SELECT id FROM found
UNION ALL
-- Never a row (count is never negative), but always run: Append runs every branch.
SELECT NULL FROM (SELECT count(pg_notify(:channel, w)) AS n FROM unnest(:wake::text[]) AS w) AS notified
WHERE notified.n < 0
