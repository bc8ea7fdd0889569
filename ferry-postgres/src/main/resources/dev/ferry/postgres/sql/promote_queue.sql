-- claim, rare path: makes due scheduled and retrying tasks of one queue pending, earliest first,
-- when more of them piled up than a claim merges (nobody ran promote for a while).
-- Parameters: :queue text, :limit int4
-- Returns: the update count.
UPDATE {schema}.task SET state = 'PENDING'
WHERE id = ANY(ARRAY(SELECT id FROM {schema}.task
             WHERE queue = :queue AND state IN ('SCHEDULED', 'RETRYING') AND run_at <= {now}
             ORDER BY run_at, seq
             LIMIT :limit
             FOR UPDATE SKIP LOCKED))
