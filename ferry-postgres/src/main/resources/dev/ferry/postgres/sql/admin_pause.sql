-- admin Pause(queue): sets the paused flag, making the queue known if it was not.
-- Parameters: :queue text
-- Returns: one row when the flag changed.
INSERT INTO {schema}.queue AS q (name, paused) VALUES (:queue, true)
ON CONFLICT (name) DO UPDATE SET paused = true WHERE q.paused = false
RETURNING name
