-- enqueue, last step: removes the tasks this transaction stored but then refused (their id is
-- used by a finished task, or their unique key is held). None of them holds a key.
-- Parameters: :ids text[]
DELETE FROM {schema}.task WHERE id = ANY(:ids::text[])
