-- idempotency, store if absent: keeps a live record as it is (never overwritten), else stores
-- :value until now + :ttl_us. Always returns the value stored after the statement.
-- Parameters: :key text, :value text, :ttl_us int8
INSERT INTO {schema}.idempotency AS r (key, value, expires_at)
VALUES (:key, :value, {now} + {schema}.micros(:ttl_us))
ON CONFLICT (key) DO UPDATE
SET value      = CASE WHEN r.expires_at <= {now} THEN excluded.value ELSE r.value END,
    expires_at = CASE WHEN r.expires_at <= {now} THEN excluded.expires_at ELSE r.expires_at END
RETURNING value
