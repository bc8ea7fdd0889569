-- records, Put: stores :json under (:namespace, :key), replacing what was there; updated_at = now.
-- Parameters: :namespace text, :key text, :json text
-- Returns: the update count (1).
INSERT INTO {schema}.record AS r (namespace, key, json, updated_at)
VALUES (:namespace, :key, :json, {now})
ON CONFLICT (namespace, key) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at
