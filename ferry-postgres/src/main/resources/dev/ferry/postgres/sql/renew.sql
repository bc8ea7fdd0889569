-- renew: extends valid leases to now + :lease_us. The fence: the task is ACTIVE under that token
-- and its lease has not expired. Callers pass the leases sorted by id, so concurrent batches of
-- one worker (renew, ack) lock rows in the same order.
-- Parameters: :ids text[], :tokens int8[], :lease_us int8
-- Returns: id and cancel_requested of each lease renewed (the others are lost).
WITH locked AS MATERIALIZED (
    -- lock the rows in id order first: renew and ack batches of one worker run concurrently, and
    -- locking in the same order is what keeps them from deadlocking
    SELECT id FROM {schema}.task WHERE id = ANY(:ids::text[]) AND state = 'ACTIVE' ORDER BY id FOR UPDATE
)
UPDATE {schema}.task AS t
SET lease_expires_at = {now} + {schema}.micros(:lease_us)
FROM unnest(:ids::text[], :tokens::int8[]) AS l(id, token)
WHERE t.id IN (SELECT id FROM locked) AND t.id = l.id AND t.state = 'ACTIVE' AND t.lease_token = l.token AND t.lease_expires_at > {now}
RETURNING t.id, t.cancel_requested
