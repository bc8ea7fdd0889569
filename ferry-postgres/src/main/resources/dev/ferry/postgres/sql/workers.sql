-- workers: those whose last heartbeat is less than 60 seconds old, by id.
SELECT worker_id, host, pid, queues, concurrency, busy, started_at, last_heartbeat
FROM {schema}.worker
WHERE last_heartbeat + interval '60 seconds' > {now}
ORDER BY worker_id
