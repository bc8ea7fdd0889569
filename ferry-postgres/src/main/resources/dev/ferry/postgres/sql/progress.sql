-- progress: stores a running task's progress, fenced by its lease.
-- Parameters: :id text, :token int8, :progress text
-- Returns: the update count (1 when the lease is valid).
UPDATE {schema}.task SET progress = :progress
WHERE id = :id AND state = 'ACTIVE' AND lease_token = :token AND lease_expires_at > {now}
