-- records, Get: the record at (:namespace, :key).
-- Parameters: :namespace text, :key text
-- Returns: key, json, updated_at; no row when there is none.
SELECT key, json, updated_at FROM {schema}.record WHERE namespace = :namespace AND key = :key
