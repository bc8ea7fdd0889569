-- promote: makes due SCHEDULED and RETRYING tasks of every queue PENDING, earliest first, at
-- most :limit, skipping rows another transaction holds. The rows are picked by the task_due index,
-- then updated by primary key (= ANY(ARRAY(...)) keeps the planner from scanning the table).
-- Parameters: :limit int4
-- Returns: the queue of each task promoted.
UPDATE {schema}.task SET state = 'PENDING'
WHERE id = ANY(ARRAY(SELECT id FROM {schema}.task
             WHERE state IN ('SCHEDULED', 'RETRYING') AND run_at <= {now}
             ORDER BY run_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED))
RETURNING queue
