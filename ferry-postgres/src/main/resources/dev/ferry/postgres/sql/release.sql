-- release: gives valid leases back: PENDING again, the attempt not counted, run_at unchanged
-- (the task keeps its place in claim order), the lease cleared.
-- Parameters: :ids text[], :tokens int8[] (sorted by id)
-- Returns: the queue of each task released.
UPDATE {schema}.task AS t
SET state = 'PENDING', attempt = t.attempt - 1, lease_expires_at = NULL
FROM unnest(:ids::text[], :tokens::int8[]) AS l(id, token)
WHERE t.id = ANY(:ids::text[]) AND t.id = l.id AND t.state = 'ACTIVE' AND t.lease_token = l.token AND t.lease_expires_at > {now}
RETURNING t.queue
