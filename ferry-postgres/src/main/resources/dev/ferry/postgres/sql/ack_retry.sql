-- ack, Retry outcomes: each fenced task becomes RETRYING, eligible again at now + delay, with
-- the error appended to its history (the last 10 are kept); the lease is cleared.
-- Parameters: :ids text[], :tokens int8[], :delays_us int8[], :errors text[] (JSON objects)
-- Returns: id and queue of each task retried.
WITH locked AS MATERIALIZED (
    -- lock the rows in id order first: renew and ack batches of one worker run concurrently, and
    -- locking in the same order is what keeps them from deadlocking
    SELECT id FROM {schema}.task WHERE id = ANY(:ids::text[]) AND state = 'ACTIVE' ORDER BY id FOR UPDATE
)
UPDATE {schema}.task AS t
SET state = 'RETRYING',
    run_at = {now} + {schema}.micros(a.delay_us),
    errors = {schema}.append_error(t.errors, a.error::jsonb),
    lease_expires_at = NULL
FROM unnest(:ids::text[], :tokens::int8[], :delays_us::int8[], :errors::text[]) AS a(id, token, delay_us, error)
WHERE t.id IN (SELECT id FROM locked) AND t.id = a.id AND t.state = 'ACTIVE' AND t.lease_token = a.token AND t.lease_expires_at > {now}
RETURNING t.id, t.queue
