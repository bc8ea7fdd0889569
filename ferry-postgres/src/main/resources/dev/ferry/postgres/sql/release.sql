-- release: gives valid leases back: PENDING again, the attempt not counted, run_at unchanged
-- (the task keeps its place in claim order), the lease cleared.
-- Parameters: :ids text[], :tokens int8[] (sorted by id)
-- Returns: the queue of each task released.
WITH locked AS MATERIALIZED (
    -- lock the rows in id order first: renew and ack batches of one worker run concurrently, and
    -- locking in the same order is what keeps them from deadlocking
    SELECT id FROM {schema}.task WHERE id = ANY(:ids::text[]) AND state = 'ACTIVE' ORDER BY id FOR UPDATE
)
UPDATE {schema}.task AS t
SET state = 'PENDING', attempt = t.attempt - 1, lease_expires_at = NULL
FROM unnest(:ids::text[], :tokens::int8[]) AS l(id, token)
WHERE t.id IN (SELECT id FROM locked) AND t.id = l.id AND t.state = 'ACTIVE' AND t.lease_token = l.token AND t.lease_expires_at > {now}
RETURNING t.queue
