"""``python manage.py migrate`` on a legacy database: nothing lost, nothing rewritten, reversible."""

from __future__ import annotations

import pytest

from tests.migrations.support import (
    LEGACY_TABLES,
    create_database,
    drop_database,
    legacy_dump,
    load_legacy,
    manage,
    migrate_project_apps,
    pg_dump,
    query,
    scalar,
    scratch_database,
)

pytestmark = pytest.mark.migrations

# Every legacy column, as text that means the same before and after the conversion
# (timestamptz shown in UTC without a zone; the string owner renamed user_id_old).
LEGACY_COLUMNS = {
    "grants": (
        "id",
        ["id", "title", "description", "funding_amount", "deadline::timestamp", "source_url",
         "created_at::timestamp", "updated_at::timestamp", "source_name", "identified_sector",
         "identified_sub_sector", "geographic_scope", "specific_location_mentions", "raw_source_data",
         "enrichment_log", "last_enriched_at::timestamp", "overall_composite_score"],
    ),
    "analyses": (
        "id",
        ["id", "grant_id", "analysis_date::timestamp", "created_at::timestamp", "updated_at::timestamp",
         "final_score", "relevance_score", "compliance_score", "feasibility_score", "relevance_details",
         "compliance_details", "feasibility_details", "overall_summary"],
    ),
    "search_runs": (
        "id",
        ["id", '"timestamp"::timestamp', "grants_found", "high_priority", "search_filters",
         "created_at::timestamp"],
    ),
    "application_history": (
        "id",
        ["id", "grant_id", "{owner_string}", "application_date::timestamp", "status", "status_reason",
         "award_amount", "feedback_notes", "is_successful_outcome", "created_at::timestamp",
         "updated_at::timestamp"],
    ),
    "user_settings": (
        "id",
        ["id", "telegram_enabled", "minimum_score", "notify_categories", "schedule_frequency", "schedule_days",
         "schedule_time", "created_at::timestamp", "updated_at::timestamp"],
    ),
    "saved_grants": ("user_settings_id, grant_id", ["user_settings_id", "grant_id", "saved_at::timestamp"]),
}  # fmt: skip


def row_checksums(dbname: str, *, migrated: bool) -> dict[str, dict]:
    """Per table: {row key: md5 of its legacy columns}."""
    result = {}
    for table, (key, columns) in LEGACY_COLUMNS.items():
        owner_string = "user_id_old" if migrated else "user_id"
        exprs = ", ".join(f"coalesce(({c.format(owner_string=owner_string)})::text, '<null>')" for c in columns)
        rows = query(dbname, f"SELECT ({key})::text, md5(concat_ws('|', {exprs})) FROM {table}")
        result[table] = dict(rows)
    return result


def storage(dbname: str) -> dict[str, tuple[int, int]]:
    rows = query(
        dbname,
        "SELECT relname, relfilenode, pg_relation_size(oid) FROM pg_class"
        " WHERE relname IN ('grants', 'search_runs') AND relkind = 'r'",
    )
    return {name: (node, size) for name, node, size in rows}


@pytest.fixture(scope="module")
def migrated_legacy(legacy_template):
    """A copy of the legacy database, recorded, then converted by a plain ``migrate``."""
    name = create_database("gf_mig_legacy", template=legacy_template)
    before = {
        "checksums": row_checksums(name, migrated=False),
        "storage": storage(name),
        "dump": legacy_dump(name),
    }
    result = manage(name, "migrate")
    yield name, before, result.stdout
    drop_database(name)


@pytest.fixture(scope="module")
def migrated_fresh():
    name = create_database("gf_mig_fresh")
    manage(name, "migrate")
    yield name
    drop_database(name)


def test_it_builds_everything_on_an_empty_database(migrated_fresh):
    tables = {row[0] for row in query(migrated_fresh, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {*LEGACY_TABLES, "users", "business_profiles", "subscriptions", "generated_applications"} <= tables
    assert "alembic_version" not in tables
    assert manage(migrated_fresh, "migrate", "--check").returncode == 0
    assert scalar(migrated_fresh, "SELECT count(*) FROM users") == 0
    # No legacy rows, so no legacy owner: recorded as such.
    assert query(migrated_fresh, "SELECT id, user_id FROM legacy_owner") == [(1, None)]


def test_it_keeps_every_legacy_row_and_value(migrated_legacy):
    name, before, _ = migrated_legacy
    after = row_checksums(name, migrated=True)
    for table in LEGACY_TABLES:
        assert len(after[table]) == len(before["checksums"][table]), table
        assert after[table] == before["checksums"][table], table
    assert len(after["grants"]) == 1501


def test_it_gives_every_legacy_row_the_system_user(migrated_legacy):
    name, _, output = migrated_legacy
    (owner_id, is_active, password) = query(
        name, "SELECT id, is_active, password FROM users WHERE email = 'system@grantfinder.internal'"
    )[0]
    assert is_active is False and password.startswith("!")  # can never sign in
    assert scalar(name, "SELECT count(*) FROM users") == 1
    assert query(name, "SELECT user_id FROM legacy_owner") == [(owner_id,)]
    for table in ("grants", "search_runs", "application_history", "user_settings"):
        assert query(name, f"SELECT DISTINCT user_id FROM {table}") == [(owner_id,)], table
    # Saved grants hang off the settings row, which is now the owner's: still saved for them.
    saved = scalar(name, "SELECT count(*) FROM saved_grants s JOIN user_settings u ON u.id = s.user_settings_id"
                         " WHERE u.user_id = %s", [owner_id])  # fmt: skip
    assert saved == 30
    assert "Legacy data remap:" in output
    assert "application_history kept by the legacy owner, 'default_user': 301" in output


def test_it_does_not_rewrite_the_big_tables(migrated_legacy):
    name, before, _ = migrated_legacy
    after = storage(name)
    for table in ("grants", "search_runs"):
        assert after[table][0] == before["storage"][table][0], f"{table} was rewritten"
        assert after[table][1] <= before["storage"][table][1], f"{table} grew"


def test_it_builds_the_same_schema_as_an_empty_database(migrated_legacy, migrated_fresh):
    name, _, _ = migrated_legacy
    assert pg_dump(name, "--schema-only") == pg_dump(migrated_fresh, "--schema-only")


def test_it_rolls_back_to_the_exact_legacy_database_and_forward_again(migrated_legacy):
    name, before, _ = migrated_legacy
    with scratch_database("gf_mig_roundtrip", template=name) as copy:
        result = manage(copy, "downgrade_to_legacy", "--yes")
        assert "1 users" in result.stdout
        tables = {row[0] for row in query(copy, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert tables == {*LEGACY_TABLES, "alembic_version"}
        schema, data = legacy_dump(copy)
        assert schema == before["dump"][0]
        assert data == before["dump"][1]

        manage(copy, "migrate")
        assert query(copy, "SELECT email FROM users") == [("system@grantfinder.internal",)]
        assert scalar(copy, "SELECT count(DISTINCT user_id) FROM grants") == 1


def test_it_refuses_another_alembic_revision_and_changes_nothing():
    with scratch_database("gf_mig_wrongrev") as name:
        load_legacy(name, grants=20, runs=5, history=10)
        query(name, "UPDATE alembic_version SET version_num = 'e4f7a9b2c3d1' RETURNING 1")
        dump_before = pg_dump(name)
        result = manage(name, "migrate", check=False)
        assert result.returncode != 0
        assert "e4f7a9b2c3d1" in result.stderr and "d896bf2738fb" in result.stderr
        assert "Nothing has been changed" in result.stderr
        assert pg_dump(name) == dump_before


def test_it_hands_out_ids_past_the_legacy_maximum(legacy_template):
    with scratch_database("gf_mig_seq", template=legacy_template) as copy:
        # Rows written with explicit ids leave the id sequences behind the data. (Migrating moves
        # the sequences on, and a rollback keeps them there: ids stay unique either way.)
        query(copy, "INSERT INTO grants (id, title) VALUES (50000, 'explicit id') RETURNING id")
        query(copy, "INSERT INTO search_runs (id) VALUES (60000) RETURNING id")
        query(copy, "INSERT INTO analyses (id, grant_id) VALUES (70000, 50000) RETURNING id")
        query(
            copy,
            "INSERT INTO application_history (id, grant_id, user_id, status)"
            " VALUES (80000, 50000, 'default_user', 'APPLIED') RETURNING id",
        )
        migrate_project_apps(copy)
        # Then an ORM insert into every migrated table.
        script = (
            "from accounts.models import User, UserSettings\n"
            "from grants.models import Grant, Analysis, SearchRun, SavedGrant\n"
            "from applications.models import ApplicationHistory, GeneratedApplication\n"
            "u = User.objects.create_user('new@example.com')\n"
            "s = UserSettings.objects.create(user=u)\n"
            "g = Grant.objects.create(user=u, title='t')\n"
            "a = Analysis.objects.create(grant=g)\n"
            "r = SearchRun.objects.create(user=u)\n"
            "h = ApplicationHistory.objects.create(user=u, grant=g)\n"
            "SavedGrant.objects.create(user_settings=s, grant=g)\n"
            "GeneratedApplication.objects.create(user=u, grant=g)\n"
            "print(g.id, a.id, r.id, h.id, s.id)\n"
        )
        grant_id, analysis_id, run_id, history_id, settings_id = (
            int(value) for value in manage(copy, "shell", "-c", script).stdout.split()[-5:]
        )
        assert grant_id == 50001
        assert analysis_id == 70001
        assert run_id == 60001
        assert history_id == 80001
        assert settings_id == 2
