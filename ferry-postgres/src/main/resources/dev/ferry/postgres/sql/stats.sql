-- stats: per known queue (all of them when :queues is empty, else those named), sorted by name:
-- the paused flag, the unfinished counts counted in the hot table (a due scheduled task still
-- counts as SCHEDULED), the oldest pending run-at, and the finished counts and totals summed
-- over the queue's stat slots.
-- Parameters: :queues text[]
WITH names AS (
    SELECT name, paused FROM {schema}.queue
    WHERE cardinality(:queues::text[]) = 0 OR name = ANY(:queues::text[])
),
hot AS (
    SELECT queue,
           count(*) FILTER (WHERE state = 'SCHEDULED') AS scheduled,
           count(*) FILTER (WHERE state = 'PENDING')   AS pending,
           count(*) FILTER (WHERE state = 'ACTIVE')    AS active,
           count(*) FILTER (WHERE state = 'RETRYING')  AS retrying,
           count(*) FILTER (WHERE state = 'WAITING')   AS waiting,
           min(run_at) FILTER (WHERE state = 'PENDING') AS oldest_pending
    FROM {schema}.task
    WHERE queue IN (SELECT name FROM names)
    GROUP BY queue
),
sums AS (
    SELECT queue, sum(completed) AS completed, sum(dead) AS dead, sum(cancelled) AS cancelled,
           sum(processed_total) AS processed_total, sum(failed_total) AS failed_total,
           sum(dead_total) AS dead_total, sum(poisoned_total) AS poisoned_total
    FROM {schema}.queue_stat
    WHERE queue IN (SELECT name FROM names)
    GROUP BY queue
)
SELECT n.name, n.paused,
       coalesce(h.scheduled, 0) AS scheduled, coalesce(h.pending, 0) AS pending, coalesce(h.active, 0) AS active,
       coalesce(h.retrying, 0) AS retrying, coalesce(h.waiting, 0) AS waiting, h.oldest_pending,
       coalesce(s.completed, 0) AS completed, coalesce(s.dead, 0) AS dead, coalesce(s.cancelled, 0) AS cancelled,
       coalesce(s.processed_total, 0) AS processed_total, coalesce(s.failed_total, 0) AS failed_total,
       coalesce(s.dead_total, 0) AS dead_total, coalesce(s.poisoned_total, 0) AS poisoned_total
FROM names AS n
LEFT JOIN hot AS h ON h.queue = n.name
LEFT JOIN sums AS s ON s.queue = n.name
ORDER BY n.name
