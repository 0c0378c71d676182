-- Fills a database loaded from legacy_database.sql with synthetic legacy data:
-- one global user_settings row (id 1), N grants, half of them analysed, every 50th saved,
-- search runs, and application history whose string user_id values mix the shapes seen
-- in legacy data: 'default_user' (what the legacy app wrote), e-mail addresses,
-- bare local parts, and ids that match nobody.
-- psql -v ON_ERROR_STOP=1 -d DB -v grants=1000000 -v runs=200000 -v history=500000 -f legacy/sql/legacy_fill.sql
-- (tests/migrations and the bench/ scripts use it; the application never runs it)
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO user_settings (telegram_enabled, minimum_score, notify_categories, schedule_frequency, schedule_days, schedule_time)
VALUES (true, 0.7, '["community","energy"]', 'WEEKLY', '["monday","thursday"]', '10:00');

INSERT INTO grants (title, description, funding_amount, deadline, source_url, source_name,
                    identified_sector, identified_sub_sector, geographic_scope,
                    specific_location_mentions, raw_source_data, enrichment_log, last_enriched_at, overall_composite_score)
SELECT 'Grant ' || g || ' for ' || (ARRAY['rural broadband','community health','clean energy','arts education','small business','food security'])[1 + g % 6],
       'Funding opportunity number ' || g || '. Supports projects in ' || (ARRAY['Louisiana','Texas','national','Mississippi','Alabama'])[1 + g % 5] || '.',
       (1000 + (g::bigint * 37) % 500000)::float,
       now() + ((g % 400) - 100) * interval '1 day',
       'https://grants.example.gov/opp/' || g,
       (ARRAY['Grants.gov','State portal','Foundation directory'])[1 + g % 3],
       (ARRAY['Telecommunications','Health','Energy','Arts','Economic Development','Agriculture'])[1 + g % 6],
       (ARRAY['Broadband','Clinics','Solar','Music','Microloans','Food banks'])[1 + g % 6],
       (ARRAY['State','National','Regional'])[1 + g % 3],
       ('["Parish ' || g % 64 || '"]')::json,
       ('{"id": ' || g || ', "agency": "AG' || g % 40 || '"}')::json,
       '[]'::json,
       now() - (g % 30) * interval '1 day',
       ((g::bigint * 7919) % 1000) / 1000.0
FROM generate_series(1, :grants) g;

INSERT INTO analyses (grant_id, final_score, relevance_score, compliance_score, feasibility_score, overall_summary)
SELECT id, overall_composite_score, 0.5, 0.6, 0.7, 'Summary ' || id FROM grants WHERE id % 2 = 0;

INSERT INTO saved_grants (user_settings_id, grant_id)
SELECT 1, id FROM grants WHERE id % 50 = 0;

INSERT INTO search_runs ("timestamp", grants_found, high_priority, search_filters)
SELECT now() - r * interval '1 hour', r % 40, r % 7, ('{"sectors": ["Energy"], "run": ' || r || '}')::json
FROM generate_series(1, :runs) r;

-- legacy string user ids: emails, bare local parts, and ids that match nobody
INSERT INTO application_history (grant_id, user_id, application_date, status, status_reason, award_amount, feedback_notes, is_successful_outcome)
SELECT 1 + (h::bigint * 13) % :grants,
       CASE h % 4 WHEN 0 THEN 'user' || (h % 997) || '@example.org'
                  WHEN 1 THEN 'user' || (h % 997)
                  WHEN 2 THEN 'default_user'
                  ELSE 'legacy-' || (h % 53) END,
       now() - (h % 300) * interval '1 day',
       (ARRAY['NOT_APPLIED','DRAFTING','APPLIED','UNDER_REVIEW','AWARDED','REJECTED','WITHDRAWN'])[1 + h % 7]::applicationstatus,
       NULL, CASE WHEN h % 7 = 4 THEN 25000 ELSE NULL END, 'note ' || h,
       CASE h % 7 WHEN 4 THEN true WHEN 5 THEN false ELSE NULL END
FROM generate_series(1, :history) h;
COMMIT;
ANALYZE;
