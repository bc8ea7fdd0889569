-- records, Delete: removes the record at (:namespace, :key).
-- Parameters: :namespace text, :key text
-- Returns: the update count: 1 when one was there, else 0.
DELETE FROM {schema}.record WHERE namespace = :namespace AND key = :key
