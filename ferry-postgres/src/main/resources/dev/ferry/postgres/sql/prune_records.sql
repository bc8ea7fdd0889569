-- prune, everything else: expired unique keys, idempotency records and leader leases, worker
-- heartbeats older than 60 seconds, token buckets that are full again (a bucket with no row is
-- full) and semaphore holders past their expiry. Records (record table) are never pruned.
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
),
buckets AS (
    DELETE FROM {schema}.token_bucket WHERE full_at <= date_trunc('milliseconds', {now})
),
holders AS (
    DELETE FROM {schema}.semaphore WHERE expires_at <= date_trunc('milliseconds', {now})
)
SELECT 1
