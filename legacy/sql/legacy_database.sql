-- A legacy database exactly at Alembic revision d896bf2738fb (the schema, then the revision
-- stamp), for tests and benchmarks. psql only:
--   psql -v ON_ERROR_STOP=1 -d DB -f legacy/sql/legacy_database.sql
\ir legacy_schema.sql
\ir legacy_alembic_version.sql
