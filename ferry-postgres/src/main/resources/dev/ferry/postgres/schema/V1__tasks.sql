-- Ferry on PostgreSQL, schema version 1.
--
-- Applied by the migrator of ferry-postgres in one transaction under an advisory lock, or by
-- hand (migrate=false): replace every {schema} with the schema name (default ferry), run this
-- file in one transaction, then record the version:
--   INSERT INTO ferry.schema_version (version, description) VALUES (1, 'tasks');
-- (the migrator creates schema_version itself; see docs/postgres.md).
--
-- Times are timestamptz of the database clock; durations are microseconds (bigint, *_us).
-- States are stored as their enum names so the tables read well in psql.

CREATE SEQUENCE {schema}.task_seq;
CREATE SEQUENCE {schema}.lease_token_seq;

-- The hot table: unfinished tasks only (SCHEDULED, PENDING, ACTIVE, RETRYING, WAITING). A task
-- moves to task_done in the transaction that finishes it, so claims, recovery and autovacuum
-- only ever see live work, however much history is kept. Queue tables churn: vacuum it early.
CREATE TABLE {schema}.task (
    seq               bigint      NOT NULL DEFAULT nextval('{schema}.task_seq'),
    id                text        NOT NULL,
    queue             text        NOT NULL,
    type              text        NOT NULL,
    payload           text        NOT NULL,
    priority          smallint    NOT NULL,
    state             text        NOT NULL,
    attempt           integer     NOT NULL DEFAULT 0,
    max_attempts      integer     NOT NULL,
    timeout_us        bigint      NOT NULL,
    run_at            timestamptz NOT NULL,
    enqueued_at       timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    expires_at        timestamptz,
    lease_token       bigint,
    lease_expires_at  timestamptz,
    worker_id         text,
    unique_key        text,
    progress          text,
    result            text,
    errors            jsonb       NOT NULL DEFAULT '[]',
    lease_expirations integer     NOT NULL DEFAULT 0,
    cancel_requested  boolean     NOT NULL DEFAULT false,
    dead_reason       text,
    headers           jsonb,
    retention_us      bigint      NOT NULL,
    dead_retention_us bigint      NOT NULL,
    CONSTRAINT task_pkey PRIMARY KEY (id),
    CONSTRAINT task_state CHECK (state IN ('SCHEDULED', 'PENDING', 'ACTIVE', 'RETRYING', 'WAITING'))
) WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000,
        autovacuum_analyze_scale_factor = 0.05);

ALTER SEQUENCE {schema}.task_seq OWNED BY {schema}.task.seq;

-- Claim order within a queue, pending rows only: a claim reads the first rows of this index.
CREATE INDEX task_ready ON {schema}.task (queue, priority, run_at, seq) WHERE state = 'PENDING';
-- Due scheduled and retrying tasks of one queue (the claim merges them into claim order).
CREATE INDEX task_due_by_queue ON {schema}.task (queue, run_at, seq) WHERE state IN ('SCHEDULED', 'RETRYING');
-- Due scheduled and retrying tasks of every queue, for promotion: stops at the first future run-at.
CREATE INDEX task_due ON {schema}.task (run_at) WHERE state IN ('SCHEDULED', 'RETRYING');
-- Lease recovery walks only expired active rows.
CREATE INDEX task_lease ON {schema}.task (lease_expires_at) WHERE state = 'ACTIVE';

-- Finished tasks (COMPLETED, DEAD, CANCELLED) until their retention ends: results, errors and
-- the dead set. Same columns as task. Pruning deletes from here only.
CREATE TABLE {schema}.task_done (
    seq               bigint      NOT NULL,
    id                text        NOT NULL,
    queue             text        NOT NULL,
    type              text        NOT NULL,
    payload           text        NOT NULL,
    priority          smallint    NOT NULL,
    state             text        NOT NULL,
    attempt           integer     NOT NULL,
    max_attempts      integer     NOT NULL,
    timeout_us        bigint      NOT NULL,
    run_at            timestamptz NOT NULL,
    enqueued_at       timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    lease_token       bigint,
    lease_expires_at  timestamptz,
    worker_id         text,
    unique_key        text,
    progress          text,
    result            text,
    errors            jsonb       NOT NULL,
    lease_expirations integer     NOT NULL,
    cancel_requested  boolean     NOT NULL,
    dead_reason       text,
    headers           jsonb,
    retention_us      bigint      NOT NULL,
    dead_retention_us bigint      NOT NULL,
    CONSTRAINT task_done_pkey PRIMARY KEY (id),
    CONSTRAINT task_done_state CHECK (state IN ('COMPLETED', 'DEAD', 'CANCELLED'))
);

-- Pruning takes the rows whose retention ended, oldest deadline first.
CREATE INDEX task_done_expiry ON {schema}.task_done (expires_at);
-- Listing finished tasks of a queue, most recent first.
CREATE INDEX task_done_list ON {schema}.task_done (queue, state, finished_at DESC, seq DESC);

-- Every known queue (a task was enqueued to it, or it was paused) and its paused flag.
CREATE TABLE {schema}.queue (
    name       text        NOT NULL PRIMARY KEY,
    paused     boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Finished-state counts and lifetime totals per queue, as deltas spread over slots (the
-- backend's pid modulo 64): concurrent workers add to different rows instead of queueing on one
-- hot row. A queue's figure is the sum over its slots.
CREATE TABLE {schema}.queue_stat (
    queue           text     NOT NULL,
    slot            smallint NOT NULL,
    completed       bigint   NOT NULL DEFAULT 0,
    dead            bigint   NOT NULL DEFAULT 0,
    cancelled       bigint   NOT NULL DEFAULT 0,
    processed_total bigint   NOT NULL DEFAULT 0,
    failed_total    bigint   NOT NULL DEFAULT 0,
    dead_total      bigint   NOT NULL DEFAULT 0,
    poisoned_total  bigint   NOT NULL DEFAULT 0,
    PRIMARY KEY (queue, slot)
);

-- A unique key held by an unfinished task, at most until expires_at (enqueue + uniqueFor). The
-- row is deleted when its holder finishes or is deleted; expired rows are pruned or taken over.
CREATE TABLE {schema}.unique_key (
    key        text        NOT NULL PRIMARY KEY,
    task_id    text        NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX unique_key_expiry ON {schema}.unique_key (expires_at);

CREATE TABLE {schema}.idempotency (
    key        text        NOT NULL PRIMARY KEY,
    value      text        NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX idempotency_expiry ON {schema}.idempotency (expires_at);

CREATE TABLE {schema}.leader (
    name   text        NOT NULL PRIMARY KEY,
    holder text        NOT NULL,
    until  timestamptz NOT NULL
);

CREATE TABLE {schema}.worker (
    worker_id      text        NOT NULL PRIMARY KEY,
    host           text        NOT NULL,
    pid            bigint      NOT NULL,
    queues         text[]      NOT NULL,
    concurrency    integer     NOT NULL,
    busy           integer     NOT NULL,
    started_at     timestamptz,
    last_heartbeat timestamptz NOT NULL
);

-- The error history keeps the last 10 entries: appends one (a NULL error changes nothing).
CREATE FUNCTION {schema}.append_error(errors jsonb, error jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN error IS NULL THEN errors ELSE (
        SELECT coalesce(jsonb_agg(e ORDER BY n), '[]'::jsonb)
        FROM jsonb_array_elements(errors || jsonb_build_array(error)) WITH ORDINALITY AS x(e, n)
        WHERE n > jsonb_array_length(errors) + 1 - 10)
    END
$$;

-- A time as the ISO-8601 text the error history stores (microseconds, UTC).
CREATE FUNCTION {schema}.iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- A duration in microseconds as an interval, capped at 1000 years so that now() plus any
-- retention or delay stays a valid timestamp (a longer one means "practically forever").
CREATE FUNCTION {schema}.micros(us bigint) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(us, 31536000000000000) * interval '1 microsecond'
$$;
