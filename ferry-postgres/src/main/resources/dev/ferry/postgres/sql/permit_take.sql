-- permits, Take: one token from bucket :name, which refills continuously at :limit tokens per
-- :per_ms milliseconds up to :burst. A bucket with no row, or past its full_at, holds :burst;
-- else tokens = least(burst, tokens + elapsed_ms * limit / per_ms). Granted when at least one
-- whole token is there (then one is taken). Either way the row keeps tokens, at = now and
-- full_at = now + ceil((burst - tokens) * per_ms / limit) ms. One statement: the row lock of
-- ON CONFLICT DO UPDATE makes concurrent takes of one bucket queue, each seeing the last.
-- Broker time is truncated to the millisecond.
-- Parameters: :name text, :limit int8, :per_ms int8, :burst int8
-- Returns: granted, tokens (after the take), at (the caller computes retryAt when denied).
INSERT INTO {schema}.token_bucket AS b (name, tokens, at, full_at, granted)
SELECT :name, :burst - 1, t.now_ms,
       t.now_ms + ceil(:per_ms::float8 / :limit) * interval '1 millisecond', true
FROM (SELECT date_trunc('milliseconds', {now}) AS now_ms) AS t
ON CONFLICT (name) DO UPDATE
SET (tokens, granted, at, full_at) = (
    SELECT n.tokens, n.granted, excluded.at,
           excluded.at + ceil((:burst - n.tokens) * :per_ms::float8 / :limit) * interval '1 millisecond'
    FROM (SELECT CASE WHEN r.tokens >= 1 THEN r.tokens - 1 ELSE r.tokens END AS tokens,
                 r.tokens >= 1 AS granted
          FROM (SELECT CASE WHEN b.full_at <= excluded.at THEN :burst::float8
                            ELSE least(:burst::float8,
                                       b.tokens + (extract(epoch FROM excluded.at - b.at) * 1000)::bigint * :limit
                                                  / :per_ms::float8)
                       END AS tokens) AS r) AS n)
RETURNING granted, tokens, at
