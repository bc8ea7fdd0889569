-- prune, everything else: expired unique keys, idempotency records and leader leases, and
-- worker heartbeats older than 60 seconds.
-- Returns: nothing of interest (one row).
WITH keys AS (
    DELETE FROM {schema}.unique_key WHERE expires_at <= {now}
),
records AS (
    DELETE FROM {schema}.idempotency WHERE expires_at <= {now}
),
leaders AS (
    DELETE FROM {schema}.leader WHERE until <= {now}
),
workers AS (
    DELETE FROM {schema}.worker WHERE last_heartbeat + interval '60 seconds' < {now}
)
SELECT 1
