-- permits, Acquire (after permit_lock): holders of semaphore :name with expires_at <= now are
-- gone. When :holder holds a slot, or fewer than :limit live holders are left, stores :holder
-- until now + :ttl_us: granted. Else denied, with the earliest expiry of a live holder.
-- Broker time is truncated to the millisecond.
-- Parameters: :name text, :holder text, :limit int4, :ttl_us int8
-- Returns: granted, earliest (null when granted).
WITH t AS (
    SELECT date_trunc('milliseconds', {now}) AS now_ms
),
live AS (
    SELECT holder, expires_at FROM {schema}.semaphore
    WHERE name = :name AND expires_at > (SELECT now_ms FROM t)
),
decision AS (
    SELECT EXISTS (SELECT 1 FROM live WHERE holder = :holder) OR (SELECT count(*) FROM live) < :limit AS granted,
           (SELECT min(expires_at) FROM live) AS earliest
),
taken AS (
    INSERT INTO {schema}.semaphore (name, holder, expires_at)
    SELECT :name, :holder, t.now_ms + {schema}.micros(:ttl_us) FROM decision, t WHERE decision.granted
    ON CONFLICT (name, holder) DO UPDATE SET expires_at = excluded.expires_at
    RETURNING 1
)
SELECT granted, CASE WHEN granted THEN NULL ELSE earliest END AS earliest
FROM decision
