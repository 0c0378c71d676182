"""The triggers that keep ``grant_figures`` (grants.models.GrantFigures) equal to a fresh count.

Every write to ``grants`` (search runs' bulk inserts, the admin, a user's deletion cascading, raw
SQL, the legacy app during a deploy) passes through them, so no code path can forget to. They are
statement-level with transition tables: a search run inserting 300 grants updates its user's row
once. Users are updated in id order, so two statements never lock two rows in opposite orders.

Installed by migration grants 0008, and by ``grants.apps`` when the tables are built straight from
the models (the test suite's ``--nomigrations``); both read the SQL from here.
"""

from __future__ import annotations

from grants.scoring import HIGH_PRIORITY_SCORE, MEDIUM_SCORE

_APPLY = f"""
CREATE OR REPLACE FUNCTION grant_figures_merge(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_object_agg(key, n), '{{}}'::jsonb)
    FROM (SELECT key, sum(value::bigint) AS n
          FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS kv
          GROUP BY key HAVING sum(value::bigint) <> 0) AS merged
$$;

CREATE OR REPLACE FUNCTION grant_figures_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    delta text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM grant_figures;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        delta := 'SELECT user_id, overall_composite_score AS score, categories, 1 AS n FROM new_rows';
    ELSIF TG_OP = 'DELETE' THEN
        delta := 'SELECT user_id, overall_composite_score AS score, categories, -1 AS n FROM old_rows';
    ELSE
        -- Only rows whose owner, score or categories changed count (not an enrichment's touch).
        delta := 'SELECT o.user_id, o.overall_composite_score AS score, o.categories, -1 AS n
                    FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE (o.user_id, o.overall_composite_score, o.categories)
                         IS DISTINCT FROM (n.user_id, n.overall_composite_score, n.categories)
                  UNION ALL
                  SELECT n.user_id, n.overall_composite_score, n.categories, 1
                    FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE (o.user_id, o.overall_composite_score, o.categories)
                         IS DISTINCT FROM (n.user_id, n.overall_composite_score, n.categories)';
    END IF;
    EXECUTE format($f$
        WITH delta AS (%s),
        per_user AS (
            SELECT user_id,
                   sum(n) AS total,
                   coalesce(sum(n) FILTER (WHERE score >= {HIGH_PRIORITY_SCORE}), 0) AS high,
                   coalesce(sum(n) FILTER (WHERE score >= {MEDIUM_SCORE} AND score < {HIGH_PRIORITY_SCORE}), 0)
                       AS medium,
                   coalesce(sum(n) FILTER (WHERE score < {MEDIUM_SCORE}), 0) AS low,
                   coalesce(sum(n) FILTER (WHERE score IS NULL), 0) AS unscored
            FROM delta GROUP BY user_id),
        per_category AS (
            SELECT user_id, jsonb_object_agg(code, n) AS categories
            FROM (SELECT d.user_id, e.code, sum(d.n) AS n
                  FROM delta d
                  CROSS JOIN LATERAL jsonb_array_elements_text(
                      CASE WHEN jsonb_typeof(d.categories) = 'array' THEN d.categories ELSE '[]'::jsonb END
                  ) AS e(code)
                  GROUP BY d.user_id, e.code) AS counted
            GROUP BY user_id)
        INSERT INTO grant_figures AS f (user_id, total, high, medium, low, unscored, categories)
        SELECT p.user_id, p.total, p.high, p.medium, p.low, p.unscored,
               grant_figures_merge('{{}}'::jsonb, coalesce(c.categories, '{{}}'::jsonb))
        FROM per_user p LEFT JOIN per_category c USING (user_id)
        ORDER BY p.user_id
        ON CONFLICT (user_id) DO UPDATE SET
            total = f.total + excluded.total,
            high = f.high + excluded.high,
            medium = f.medium + excluded.medium,
            low = f.low + excluded.low,
            unscored = f.unscored + excluded.unscored,
            categories = grant_figures_merge(f.categories, excluded.categories)
    $f$, delta);
    RETURN NULL;
END
$$;

CREATE TRIGGER grant_figures_insert AFTER INSERT ON grants
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grant_figures_apply();
CREATE TRIGGER grant_figures_update AFTER UPDATE ON grants
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grant_figures_apply();
CREATE TRIGGER grant_figures_delete AFTER DELETE ON grants
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION grant_figures_apply();
CREATE TRIGGER grant_figures_truncate AFTER TRUNCATE ON grants
    FOR EACH STATEMENT EXECUTE FUNCTION grant_figures_apply();
"""

# Every user's figures from a fresh count (the backfill, and figures_rebuild).
REBUILD = f"""
WITH per_user AS (
    SELECT user_id, count(*) AS total,
           count(*) FILTER (WHERE overall_composite_score >= {HIGH_PRIORITY_SCORE}) AS high,
           count(*) FILTER (WHERE overall_composite_score >= {MEDIUM_SCORE}
                            AND overall_composite_score < {HIGH_PRIORITY_SCORE}) AS medium,
           count(*) FILTER (WHERE overall_composite_score < {MEDIUM_SCORE}) AS low,
           count(*) FILTER (WHERE overall_composite_score IS NULL) AS unscored
    FROM grants WHERE %(all)s OR user_id = ANY(%(users)s) GROUP BY user_id),
per_category AS (
    SELECT user_id, jsonb_object_agg(code, n) AS categories
    FROM (SELECT g.user_id, e.code, count(*) AS n
          FROM grants g
          CROSS JOIN LATERAL jsonb_array_elements_text(
              CASE WHEN jsonb_typeof(g.categories) = 'array' THEN g.categories ELSE '[]'::jsonb END
          ) AS e(code)
          WHERE %(all)s OR g.user_id = ANY(%(users)s)
          GROUP BY g.user_id, e.code) AS counted
    GROUP BY user_id)
INSERT INTO grant_figures AS f (user_id, total, high, medium, low, unscored, categories)
SELECT p.user_id, p.total, p.high, p.medium, p.low, p.unscored, coalesce(c.categories, '{{}}'::jsonb)
FROM per_user p LEFT JOIN per_category c USING (user_id)
ORDER BY p.user_id
ON CONFLICT (user_id) DO UPDATE SET
    total = excluded.total, high = excluded.high, medium = excluded.medium, low = excluded.low,
    unscored = excluded.unscored, categories = excluded.categories
"""

_DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS grant_figures_insert ON grants;
DROP TRIGGER IF EXISTS grant_figures_update ON grants;
DROP TRIGGER IF EXISTS grant_figures_delete ON grants;
DROP TRIGGER IF EXISTS grant_figures_truncate ON grants;
"""
INSTALL = _DROP_TRIGGERS + _APPLY
UNINSTALL = (
    _DROP_TRIGGERS
    + """
DROP FUNCTION IF EXISTS grant_figures_apply();
DROP FUNCTION IF EXISTS grant_figures_merge(jsonb, jsonb);
"""
)
