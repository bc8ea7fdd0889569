-- records, Put with onlyIfAbsent: stores :json under (:namespace, :key) unless a record is there.
-- Parameters: :namespace text, :key text, :json text
-- Returns: the update count: 1 stored, 0 kept the existing one.
INSERT INTO {schema}.record (namespace, key, json, updated_at)
VALUES (:namespace, :key, :json, {now})
ON CONFLICT (namespace, key) DO NOTHING
