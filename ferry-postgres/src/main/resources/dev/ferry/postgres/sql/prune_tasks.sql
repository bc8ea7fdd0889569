-- prune, finished tasks: deletes those whose retention ended (at most :limit, earliest deadline
-- first). Their unique keys were released when they finished.
-- Parameters: :limit int4
-- Returns: queue and state of each task deleted.
DELETE FROM {schema}.task_done
WHERE id = ANY(ARRAY(SELECT id FROM {schema}.task_done
             WHERE expires_at <= {now}
             ORDER BY expires_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED))
RETURNING queue, state
