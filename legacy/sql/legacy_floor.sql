-- The floor for the legacy migration benchmark: the least work that gives every legacy row an
-- owner, written by hand. A constant column default is metadata-only in PostgreSQL 11+, so
-- grants and search_runs are not rewritten; only the foreign-key checks and the new indexes
-- read them. Run it on a copy of the same legacy database that the migration is timed on:
--   psql -v ON_ERROR_STOP=1 -d COPY -f legacy/sql/legacy_floor.sql
-- (bench/migrate_legacy.py runs it; the application never does)
-- On 1,000,000 grants / 200,000 runs / 500,000 history rows it took about 0.65 s on a
-- 2-core machine; a plain UPDATE of the same rows took about 23.5 s.
\set ON_ERROR_STOP on
\timing on
BEGIN;
CREATE TABLE floor_users (id serial PRIMARY KEY, email varchar UNIQUE NOT NULL);
INSERT INTO floor_users (email) VALUES ('system@grantfinder.internal');
ALTER TABLE grants ADD COLUMN user_id integer NOT NULL DEFAULT 1;
ALTER TABLE grants ALTER COLUMN user_id DROP DEFAULT;
ALTER TABLE grants ADD CONSTRAINT floor_grants_user FOREIGN KEY (user_id) REFERENCES floor_users(id) ON DELETE CASCADE;
CREATE INDEX floor_grants_user_id ON grants(user_id);
ALTER TABLE search_runs ADD COLUMN user_id integer NOT NULL DEFAULT 1;
ALTER TABLE search_runs ALTER COLUMN user_id DROP DEFAULT;
ALTER TABLE search_runs ADD CONSTRAINT floor_runs_user FOREIGN KEY (user_id) REFERENCES floor_users(id) ON DELETE CASCADE;
CREATE INDEX floor_search_runs_user_id ON search_runs(user_id);
ALTER TABLE application_history RENAME COLUMN user_id TO user_id_old;
ALTER TABLE application_history ADD COLUMN user_id integer NOT NULL DEFAULT 1;
ALTER TABLE application_history ALTER COLUMN user_id DROP DEFAULT;
UPDATE application_history h SET user_id = u.id FROM floor_users u WHERE lower(u.email) = lower(h.user_id_old);
ALTER TABLE application_history ADD CONSTRAINT floor_history_user FOREIGN KEY (user_id) REFERENCES floor_users(id) ON DELETE CASCADE;
CREATE INDEX floor_history_user_id ON application_history(user_id);
ALTER TABLE user_settings ADD COLUMN user_id integer UNIQUE REFERENCES floor_users(id) ON DELETE CASCADE;
UPDATE user_settings SET user_id = 1;
COMMIT;
