-- enqueue, for a batch with tenanted tasks: enqueue.sql plus the tenant and the fair position
-- (docs/spi.md, "Fair claim order"). A batch without tenants uses enqueue.sql, which skips all
-- of this.
--
-- A tenanted task stored PENDING gets fair_at = max(V, L + 1 ms) + (k - 1) ms, where k counts
-- the tenant's PENDING tasks of its queue and priority in this batch (in batch order), and
--   V = the position (coalesce(fair_at, run_at)) of the first PENDING task of that queue and
--       priority in claim order (task_ready), or now when none; lowered to the run-at of an
--       earlier untenanted PENDING task of the batch that comes before it;
--   L = the greatest position among the tenant's PENDING tasks of that queue and priority
--       (task_tenant), none when it has none.
-- That is placing the batch's tasks one by one, each seeing the earlier ones: a tenant's later
-- tasks of the batch never fall behind the head, so only its first one needs V. Both lookups are
-- one index probe per distinct (queue, priority) and (queue, priority, tenant) of the batch.
-- Concurrent enqueues of one tenant may compute the same position: a tie, broken by seq. A task
-- of the batch refused after all (duplicate id, unique key) leaves a 1 ms gap in its tenant's
-- steps, nothing more. Every other task is stored exactly as enqueue.sql stores it, with its
-- tenant (NULL for none) and no fair position.
--
-- Parameters: those of enqueue.sql, and
--   :tenants          text[]  the task's tenant (its ferry-tenant header), NULL for none
-- Returns: as enqueue.sql.
WITH input AS (
    SELECT *
    FROM unnest(:ids::text[], :queues::text[], :types::text[], :payloads::text[], :priorities::int4[],
                :run_ats::text[], :delays_us::int8[], :max_attempts::int4[], :timeouts_us::int8[],
                :unique_keys::text[], :headers::text[], :retentions_us::int8[], :dead_retentions_us::int8[],
                :tenants::text[])
         WITH ORDINALITY AS i(id, queue, type, payload, priority, run_at, delay_us, max_attempts, timeout_us,
                              unique_key, headers, retention_us, dead_retention_us, tenant, ord)
),
known AS (
    INSERT INTO {schema}.queue (name)
    SELECT DISTINCT queue FROM input ORDER BY queue
    ON CONFLICT (name) DO NOTHING
),
timed AS (
    SELECT input.*, due, due <= {now} AS ready, tenant IS NOT NULL AND due <= {now} AS fair
    FROM input CROSS JOIN LATERAL (SELECT coalesce(run_at::timestamptz, {now} + {schema}.micros(delay_us)) AS due) AS d
),
stepped AS (
    SELECT timed.*,
           row_number() OVER (PARTITION BY queue, priority, tenant, fair ORDER BY ord) AS k,
           min(due) FILTER (WHERE ready AND tenant IS NULL)
               OVER (PARTITION BY queue, priority ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
               AS batch_head
    FROM timed
),
firsts AS (
    -- the head the tenant's first task of the batch sees
    SELECT queue, priority, tenant, batch_head FROM stepped WHERE fair AND k = 1
),
heads AS (
    SELECT g.queue, g.priority,
           (SELECT coalesce(t.fair_at, t.run_at) FROM {schema}.task AS t
            WHERE t.queue = g.queue AND t.priority = g.priority AND t.state = 'PENDING'
            ORDER BY coalesce(t.fair_at, t.run_at), t.seq
            LIMIT 1) AS position
    FROM (SELECT DISTINCT queue, priority FROM firsts) AS g
),
lasts AS (
    -- The tenant is matched as a range of one value, and ordered by, on purpose: with "tenant =
    -- g.tenant" the generic plan (the tenant unknown, one heavy tenant in the statistics) walks
    -- task_ready backwards filtering by tenant, through the whole backlog for a tenant with no
    -- pending task (a quarter second per 500k tasks). Only task_tenant yields this order.
    SELECT g.queue, g.priority, g.tenant,
           (SELECT coalesce(t.fair_at, t.run_at) FROM {schema}.task AS t
            WHERE t.queue = g.queue AND t.priority = g.priority AND t.tenant >= g.tenant AND t.tenant <= g.tenant
              AND t.state = 'PENDING'
            ORDER BY t.tenant DESC, coalesce(t.fair_at, t.run_at) DESC
            LIMIT 1) AS position
    FROM firsts AS g
),
placed AS (
    SELECT f.queue, f.priority, f.tenant,
           -- greatest and least skip NULLs: no tenant task means no bound, no head means now
           greatest(least(coalesce(h.position, {now}), f.batch_head), l.position + interval '1 millisecond') AS first_at
    FROM firsts AS f
    JOIN heads AS h ON h.queue = f.queue AND h.priority = f.priority
    JOIN lasts AS l ON l.queue = f.queue AND l.priority = f.priority AND l.tenant = f.tenant
)
INSERT INTO {schema}.task (id, queue, type, payload, priority, state, max_attempts, timeout_us, run_at,
                           enqueued_at, unique_key, headers, retention_us, dead_retention_us, tenant, fair_at)
SELECT s.id, s.queue, s.type, s.payload, s.priority,
       CASE WHEN s.ready THEN 'PENDING' ELSE 'SCHEDULED' END,
       s.max_attempts, s.timeout_us, s.due, {now}, s.unique_key, s.headers::jsonb, s.retention_us,
       s.dead_retention_us, s.tenant,
       CASE WHEN s.fair THEN p.first_at + (s.k - 1) * interval '1 millisecond' END
FROM stepped AS s
LEFT JOIN placed AS p ON s.fair AND p.queue = s.queue AND p.priority = s.priority AND p.tenant = s.tenant
ORDER BY s.ord
ON CONFLICT (id) DO NOTHING
RETURNING id, state
