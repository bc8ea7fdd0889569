-- heartbeat: stores a worker with last_heartbeat = now.
-- Parameters: :worker_id, :host text, :pid int8, :queues text[], :concurrency, :busy int4,
--   :started_at timestamptz or NULL
INSERT INTO {schema}.worker AS w (worker_id, host, pid, queues, concurrency, busy, started_at, last_heartbeat)
VALUES (:worker_id, :host, :pid, :queues::text[], :concurrency, :busy, :started_at::timestamptz, {now})
ON CONFLICT (worker_id) DO UPDATE SET
    host = excluded.host, pid = excluded.pid, queues = excluded.queues, concurrency = excluded.concurrency,
    busy = excluded.busy, started_at = excluded.started_at, last_heartbeat = excluded.last_heartbeat
