-- idempotency, read only: the live record for a key.
-- Parameters: :key text
-- Returns: value, or no row.
SELECT value FROM {schema}.idempotency WHERE key = :key AND expires_at > {now}
