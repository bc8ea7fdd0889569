-- ack, Snooze outcomes: each fenced task is SCHEDULED again at now + delay and the attempt is
-- given back (a snooze does not count); the lease is cleared.
-- Parameters: :ids text[], :tokens int8[], :delays_us int8[]
-- Returns: id and queue of each task snoozed.
UPDATE {schema}.task AS t
SET state = 'SCHEDULED',
    run_at = {now} + {schema}.micros(a.delay_us),
    attempt = t.attempt - 1,
    lease_expires_at = NULL
FROM unnest(:ids::text[], :tokens::int8[], :delays_us::int8[]) AS a(id, token, delay_us)
WHERE t.id = ANY(:ids::text[]) AND t.id = a.id AND t.state = 'ACTIVE' AND t.lease_token = a.token AND t.lease_expires_at > {now}
RETURNING t.id, t.queue
