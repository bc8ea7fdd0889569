-- admin Resume(queue): clears the paused flag of a known queue.
-- Parameters: :queue text
-- Returns: one row when the flag changed.
UPDATE {schema}.queue SET paused = false WHERE name = :queue AND paused RETURNING name
