-- Ferry on PostgreSQL, schema version 3: fair claim order between tenants (docs/spi.md, "Fair
-- claim order").
--
-- Applied on top of version 2 by the migrator, or by hand as version 1 is (replace {schema}, run
-- in one transaction, then
--   INSERT INTO ferry.schema_version (version, description) VALUES (3, 'fair_claim_order');).
-- It rebuilds the ready index over the PENDING rows, holding a lock that blocks writes to the
-- task table meanwhile (seconds for a million pending tasks). Stop the processes of an older
-- Ferry first: their claims order by run_at, which no index serves any more (each claim would
-- sort a priority's pending rows), and they would not clear fair positions.

-- tenant: the task's ferry-tenant header, NULL for none (kept in the column so that the tenant's
-- pending tasks are an index range). fair_at: the task's fair position, set by enqueue for a
-- tenanted task stored PENDING and cleared when it is claimed; NULL otherwise. A task's position
-- in claim order is coalesce(fair_at, run_at): its run-at unless it holds a fair position.
-- Both stay NULL for untenanted tasks: they cost those rows nothing. task_done has neither: a
-- task moved back from it takes its tenant from its headers and has no fair position.
-- Nullable without a default: adding them rewrites nothing.
ALTER TABLE {schema}.task ADD COLUMN tenant text, ADD COLUMN fair_at timestamptz;

-- Tasks that carry the header from before this version (only where it was set by hand).
UPDATE {schema}.task SET tenant = headers ->> 'ferry-tenant' WHERE headers ->> 'ferry-tenant' IS NOT NULL;

-- Claim order within a queue, pending rows only: priority, position, seq. Replaces version 1's
-- (queue, priority, run_at, seq); the claim, the listing and the fair enqueue's head-of-priority
-- lookup read it.
DROP INDEX {schema}.task_ready;
CREATE INDEX task_ready ON {schema}.task (queue, priority, coalesce(fair_at, run_at), seq) WHERE state = 'PENDING';
-- A tenant's pending tasks by position, tenanted rows only: the fair enqueue reads the tenant's
-- last position from its end. Untenanted tasks never enter it.
CREATE INDEX task_tenant ON {schema}.task (queue, priority, tenant, coalesce(fair_at, run_at))
    WHERE state = 'PENDING' AND tenant IS NOT NULL;
