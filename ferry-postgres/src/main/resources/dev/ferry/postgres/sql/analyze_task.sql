-- analyze_task: refreshes the hot table's statistics (see analyze_check.sql for when and why).
-- Samples at most 300 x default_statistics_target rows, so it takes a fraction of a second even on
-- millions of rows, and takes no lock that writers or readers wait for. Without ownership of the
-- table PostgreSQL skips it with a warning.
ANALYZE {schema}.task
