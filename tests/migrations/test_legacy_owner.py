"""The legacy owner is a fact of the database: ``migrate`` records it, and the remap and the rollback
use that record whatever ``LEGACY_OWNER_EMAIL`` says in their own shell."""

from __future__ import annotations

import pytest

from tests.migrations.support import (
    create_database,
    drop_database,
    legacy_dump,
    load_legacy,
    manage,
    query,
    scalar,
    scratch_database,
)

pytestmark = pytest.mark.migrations

OWNER = "Owner@Example.com"
# fill.sql writes history row 4 as 'user4@example.org' and row 1001 as 'user4': both name this person.
LATER_USER = "user4@example.org"


def _owner_of_history(dbname: str) -> dict[str, list[str]]:
    rows = query(
        dbname,
        "SELECT u.email, h.user_id_old FROM application_history h JOIN users u ON u.id = h.user_id"
        " WHERE h.user_id_old IN ('user4@example.org', 'user4', 'default_user')",
    )
    owners: dict[str, list[str]] = {}
    for email, string in rows:
        owners.setdefault(string, []).append(email)
    return {string: sorted(set(emails)) for string, emails in owners.items()}


@pytest.fixture(scope="module")
def migrated_with_named_owner(legacy_template):
    """A copy of the legacy database converted by ``migrate`` with LEGACY_OWNER_EMAIL set."""
    name = create_database("gf_mig_owner", template=legacy_template)
    before = legacy_dump(name)
    manage(name, "migrate", env={"LEGACY_OWNER_EMAIL": OWNER})
    yield name, before
    drop_database(name)


def test_migrate_records_the_legacy_owner(migrated_with_named_owner):
    name, _ = migrated_with_named_owner
    assert query(name, "SELECT u.email FROM legacy_owner o JOIN users u ON u.id = o.user_id WHERE o.id = 1") == [
        (OWNER,)
    ]


def test_remap_and_rollback_without_the_variable_use_the_recorded_owner(migrated_with_named_owner):
    name, before = migrated_with_named_owner
    with scratch_database("gf_mig_owner_roundtrip", template=name) as copy:
        # Someone who signed up after the deploy. (No rows of their own in the legacy tables: a new
        # row moves an id sequence on, and the rollback rightly leaves it there.)
        manage(copy, "shell", "-c", f"from accounts.models import User; User.objects.create_user({LATER_USER!r})")
        assert _owner_of_history(copy)["user4@example.org"] == [OWNER]

        # No LEGACY_OWNER_EMAIL from here on (manage() never passes the test run's own).
        remap = manage(copy, "remap_legacy_users").stdout
        assert f"Legacy owner: {OWNER}" in remap
        assert "Moved 2 row(s)." in remap
        owners = _owner_of_history(copy)
        assert owners["user4@example.org"] == owners["user4"] == [LATER_USER]
        assert owners["default_user"] == [OWNER]

        rollback = manage(copy, "downgrade_to_legacy", "--yes").stdout
        assert f"legacy owner: {OWNER}" in rollback
        assert "0 other users' settings" in rollback
        # The legacy settings row and its 30 saved grants are kept.
        assert query(copy, "SELECT id FROM user_settings") == [(1,)]
        assert scalar(copy, "SELECT count(*) FROM saved_grants WHERE user_settings_id = 1") == 30
        schema, data = legacy_dump(copy)
        assert schema == before[0]
        assert data == before[1]


def test_commands_stop_when_the_variable_names_someone_else_and_a_split_migrate_keeps_one_owner():
    with scratch_database("gf_mig_owner_split") as name:
        load_legacy(name, grants=20, runs=5, history=12)
        # The conversion split over two shells: only the first names the owner.
        manage(name, "migrate", "accounts", env={"LEGACY_OWNER_EMAIL": OWNER})
        manage(name, "migrate")
        owner_id = scalar(name, "SELECT id FROM users WHERE email = %s", [OWNER])
        for table in ("grants", "search_runs", "application_history", "user_settings"):
            assert query(name, f"SELECT DISTINCT user_id FROM {table}") == [(owner_id,)], table
        assert scalar(name, "SELECT count(*) FROM users") == 1  # no system user took a share

        history_before = query(name, "SELECT id, user_id FROM application_history ORDER BY id")
        for command in (["remap_legacy_users"], ["downgrade_to_legacy", "--yes"]):
            result = manage(name, *command, check=False, env={"LEGACY_OWNER_EMAIL": "someone.else@example.com"})
            assert result.returncode != 0, command
            assert "LEGACY_OWNER_EMAIL names someone.else@example.com" in result.stderr
            assert f"legacy owner as {OWNER}" in result.stderr
            assert "Nothing has been changed." in result.stderr
        assert query(name, "SELECT id, user_id FROM application_history ORDER BY id") == history_before
        assert scalar(name, "SELECT count(*) FROM user_settings WHERE user_id = %s", [owner_id]) == 1

        # The variable agreeing with the record (in another case) is fine.
        agreeing = manage(name, "remap_legacy_users", "--dry-run", env={"LEGACY_OWNER_EMAIL": OWNER.upper()})
        assert f"Legacy owner: {OWNER}" in agreeing.stdout
