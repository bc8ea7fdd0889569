-- permits, before Acquire: takes the transaction-level advisory lock of semaphore :name, so
-- acquires of one semaphore run one after the other. It is a statement of its own: the acquire
-- that follows reads the holders with a snapshot taken after the lock was granted.
-- Parameters: :name text
-- Returns: one row of no interest.
SELECT pg_advisory_xact_lock(hashtextextended('{schema}.semaphore:' || :name, 0))
