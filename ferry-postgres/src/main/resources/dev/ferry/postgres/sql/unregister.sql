-- unregister: forgets a worker's heartbeat.
-- Parameters: :worker_id text
DELETE FROM {schema}.worker WHERE worker_id = :worker_id
