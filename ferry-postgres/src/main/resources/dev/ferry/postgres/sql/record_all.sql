-- records, All: every record of :namespace, sorted by key (byte order, as the other backends).
-- Parameters: :namespace text
-- Returns: key, json, updated_at per record.
SELECT key, json, updated_at FROM {schema}.record WHERE namespace = :namespace ORDER BY key COLLATE "C"
