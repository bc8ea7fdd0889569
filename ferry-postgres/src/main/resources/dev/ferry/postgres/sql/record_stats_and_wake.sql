-- The end of every writing transaction: adds its finished-state counts and totals per queue to
-- the caller's stat slot (rows locked in queue order, so concurrent transactions cannot
-- deadlock on them), then notifies the wake-up channel once per queue that has new work
-- (delivered by PostgreSQL at commit, and only if the transaction commits).
-- Parameters: :queues text[]; per queue :completed, :dead, :cancelled, :processed, :failed,
--   :dead_total, :poisoned int8[]; :channel text; :wake text[] (queues to wake; empty when
--   notify is off)
WITH delta AS (
    SELECT * FROM unnest(:queues::text[], :completed::int8[], :dead::int8[], :cancelled::int8[],
                         :processed::int8[], :failed::int8[], :dead_total::int8[], :poisoned::int8[])
             AS d(queue, completed, dead, cancelled, processed, failed, dead_total, poisoned)
),
added AS (
    INSERT INTO {schema}.queue_stat AS s (queue, slot, completed, dead, cancelled, processed_total,
                                          failed_total, dead_total, poisoned_total)
    SELECT queue, pg_backend_pid() % 64, completed, dead, cancelled, processed, failed, dead_total, poisoned
    FROM delta ORDER BY queue
    ON CONFLICT (queue, slot) DO UPDATE SET
        completed       = s.completed + excluded.completed,
        dead            = s.dead + excluded.dead,
        cancelled       = s.cancelled + excluded.cancelled,
        processed_total = s.processed_total + excluded.processed_total,
        failed_total    = s.failed_total + excluded.failed_total,
        dead_total      = s.dead_total + excluded.dead_total,
        poisoned_total  = s.poisoned_total + excluded.poisoned_total
)
SELECT count(pg_notify(:channel, w)) FROM unnest(:wake::text[]) AS w
