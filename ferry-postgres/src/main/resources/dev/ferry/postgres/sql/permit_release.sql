-- permits, Release: removes :holder from semaphore :name.
-- Parameters: :name text, :holder text
-- Returns: one row, live = whether the slot was still held (not expired), when there was one.
DELETE FROM {schema}.semaphore
WHERE name = :name AND holder = :holder
RETURNING expires_at > date_trunc('milliseconds', {now}) AS live
