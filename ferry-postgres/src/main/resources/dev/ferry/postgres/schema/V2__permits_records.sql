-- Ferry on PostgreSQL, schema version 2: flow control (token buckets, semaphores) and records.
--
-- New tables only: applied on top of version 1 by the migrator, or by hand as version 1 is
-- (replace {schema}, run in one transaction, then
--   INSERT INTO ferry.schema_version (version, description) VALUES (2, 'permits_records');).
-- Flow control runs on broker time in whole milliseconds (docs/spi.md, "permits").

-- One row per token bucket in use: the tokens left at `at`, and full_at, when it will hold its
-- burst again. A bucket with no row, or whose full_at has passed, is full, so pruning deletes
-- rows past full_at and nothing is lost. `granted` is the outcome of the latest take: the take
-- statement updates the row and reports its decision in one step.
CREATE TABLE {schema}.token_bucket (
    name    text             NOT NULL PRIMARY KEY,
    tokens  double precision NOT NULL,
    at      timestamptz      NOT NULL,
    full_at timestamptz      NOT NULL,
    granted boolean          NOT NULL
);
CREATE INDEX token_bucket_full ON {schema}.token_bucket (full_at);

-- Semaphore holders, each until expires_at; a holder past it no longer counts and is pruned.
-- Acquiring serializes on a transaction-level advisory lock per semaphore name.
CREATE TABLE {schema}.semaphore (
    name       text        NOT NULL,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (name, holder)
);
CREATE INDEX semaphore_expiry ON {schema}.semaphore (expires_at);

-- Small documents kept until deleted (cron schedules, limit definitions), never pruned. The
-- document is text, kept exactly as given.
CREATE TABLE {schema}.record (
    namespace  text        NOT NULL,
    key        text        NOT NULL,
    json       text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (namespace, key)
);
