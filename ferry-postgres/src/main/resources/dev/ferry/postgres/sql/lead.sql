-- lead: grants the named lease to :holder until now + :ttl_us when nobody holds it, the lease
-- expired, or :holder holds it already; else leaves it with its holder.
-- Parameters: :name text, :holder text, :ttl_us int8
-- Returns: the holder and until after the statement (the caller leads iff holder = :holder).
INSERT INTO {schema}.leader AS l (name, holder, until)
VALUES (:name, :holder, {now} + {schema}.micros(:ttl_us))
ON CONFLICT (name) DO UPDATE
SET holder = CASE WHEN l.until <= {now} OR l.holder = excluded.holder THEN excluded.holder ELSE l.holder END,
    until  = CASE WHEN l.until <= {now} OR l.holder = excluded.holder THEN excluded.until ELSE l.until END
RETURNING holder, until
