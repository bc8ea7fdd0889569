-- ack, Snooze outcomes: each fenced task is SCHEDULED again at now + delay and the attempt is
-- given back (a snooze does not count); the lease is cleared.
-- Parameters: :ids text[], :tokens int8[], :delays_us int8[]
-- Returns: id and queue of each task snoozed.
WITH locked AS MATERIALIZED (
    -- lock the rows in id order first: renew and ack batches of one worker run concurrently, and
    -- locking in the same order is what keeps them from deadlocking
    SELECT id FROM {schema}.task WHERE id = ANY(:ids::text[]) AND state = 'ACTIVE' ORDER BY id FOR UPDATE
)
UPDATE {schema}.task AS t
SET state = 'SCHEDULED',
    run_at = {now} + {schema}.micros(a.delay_us),
    attempt = t.attempt - 1,
    lease_expires_at = NULL
FROM unnest(:ids::text[], :tokens::int8[], :delays_us::int8[]) AS a(id, token, delay_us)
WHERE t.id IN (SELECT id FROM locked) AND t.id = a.id AND t.state = 'ACTIVE' AND t.lease_token = a.token AND t.lease_expires_at > {now}
RETURNING t.id, t.queue
