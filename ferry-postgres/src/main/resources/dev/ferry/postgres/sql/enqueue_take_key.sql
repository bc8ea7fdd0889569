-- enqueue, for a task with a unique key: takes the key unless a live holder has it. A row in
-- unique_key means its holder is unfinished (finishing deletes it), so only its expiry is checked.
-- The update always writes the row, so the answer is right even when a concurrent transaction
-- inserted the key after this statement started.
-- Parameters: :key text, :task_id text, :unique_for_us int8
-- Returns: task_id, the holder after this statement (the new task when it took the key).
INSERT INTO {schema}.unique_key AS k (key, task_id, expires_at)
VALUES (:key, :task_id, {now} + {schema}.micros(:unique_for_us))
ON CONFLICT (key) DO UPDATE
SET task_id    = CASE WHEN k.expires_at <= {now} THEN excluded.task_id ELSE k.task_id END,
    expires_at = CASE WHEN k.expires_at <= {now} THEN excluded.expires_at ELSE k.expires_at END
RETURNING task_id
