-- analyze_check: whether the hot table has outgrown its statistics, so that this process should
-- ANALYZE it now (sql/analyze_task.sql, in the same transaction) instead of waiting for autovacuum.
--
-- Why: Ferry's statements are prepared once per connection, and after five runs PostgreSQL keeps a
-- generic plan costed on the statistics of that moment. A queue that starts empty and then takes a
-- million tasks keeps plans made for a handful of rows (a sequential scan to update 64 rows by
-- id: hundreds of milliseconds per claim or ack) until autovacuum's next visit, up to a minute
-- later. ANALYZE invalidates those plans. Outgrown = ten times the rows the statistics say, and at
-- least 10,000, so a table that keeps growing is analyzed a few times (10k, 100k, 1M), not often.
-- n_live_tup is kept current by the statistics system (within about a second), reltuples only by
-- ANALYZE and VACUUM (-1 before the first). The advisory lock lets one process at a time do it.
-- Parameters: none
-- Returns: one row, true when this transaction should analyze (and now holds the lock).
SELECT CASE
           WHEN s.n_live_tup > greatest(10000, 10 * greatest(c.reltuples, 0))
           THEN pg_try_advisory_xact_lock(hashtext('ferry:analyze'), c.oid::int)
           ELSE false
       END
FROM pg_class AS c
JOIN pg_stat_user_tables AS s ON s.relid = c.oid
WHERE c.oid = '{schema}.task'::regclass
