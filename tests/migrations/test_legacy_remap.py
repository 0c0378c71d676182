"""Who legacy application history goes to: the remap rules, in the migration and the command."""

from __future__ import annotations

import pytest

from tests.migrations.support import load_legacy, manage, query, scalar, scratch_database

pytestmark = pytest.mark.migrations

# Legacy owner strings, one per rule, and whose row each must become.
STRINGS = {
    "Alice@Example.ORG ": "alice@example.org",  # exact e-mail, other case, trimmed
    "zoë@example.org": "zoë@example.org",  # exact e-mail, not ASCII
    "bob": "bob@example.net",  # the one user whose local part is bob
    " BOB": "bob@example.net",
    "carol": None,  # carol@a.example and carol@b.example: ambiguous
    "bob@elsewhere.org": None,  # an address matching nobody (local parts only match bare names)
    "legacy-42": None,  # unknown
    "default_user": None,  # what the legacy application wrote
}
PEOPLE = ["alice@example.org", "zoë@example.org", "bob@example.net", "carol@a.example", "carol@b.example"]


def _legacy_with_strings(name: str) -> None:
    load_legacy(name, grants=10, runs=3, history=0)
    for value in STRINGS:
        query(
            name,
            "INSERT INTO application_history (grant_id, user_id, status) VALUES (1, %s, 'APPLIED') RETURNING id",
            [value],
        )


def _create_users(name: str, emails: list[str], env: dict | None = None) -> None:
    script = "from accounts.models import User\n" + "".join(f"User.objects.create_user({e!r})\n" for e in emails)
    manage(name, "shell", "-c", script, env=env)


def _owners(name: str) -> dict[str, str]:
    return dict(
        query(name, "SELECT h.user_id_old, u.email FROM application_history h JOIN users u ON u.id = h.user_id")
    )


def _expected(owner_email: str) -> dict[str, str]:
    return {value: person or owner_email for value, person in STRINGS.items()}


def _migrate_with_users_present(name: str, env: dict | None = None) -> str:
    """Stops before the remap, signs people up, then runs it (as a later deploy would meet them)."""
    manage(name, "migrate", "accounts", env=env)
    manage(name, "migrate", "grants", "0001_initial", env=env)
    _create_users(name, PEOPLE, env=env)
    return manage(name, "migrate", "applications", "0001_initial", env=env).stdout


def test_it_applies_each_rule_with_the_system_user_as_legacy_owner():
    with scratch_database("gf_mig_remap") as name:
        _legacy_with_strings(name)
        output = _migrate_with_users_present(name)
        assert _owners(name) == _expected("system@grantfinder.internal")
        assert "moved by exact e-mail: 2" in output
        assert "moved by e-mail local part: 2" in output
        assert "'default_user': 1" in output
        assert "no other user matched: 3" in output
        assert "'carol': 1" in output and "'legacy-42': 1" in output
        # NULL owners (all legacy grants and runs) and the settings row go to the system user too.
        assert query(name, "SELECT DISTINCT u.email FROM grants g JOIN users u ON u.id = g.user_id") == [
            ("system@grantfinder.internal",)
        ]
        assert scalar(name, "SELECT count(*) FROM search_runs WHERE user_id IS NULL") == 0


def test_it_gives_legacy_rows_to_the_named_legacy_owner():
    env = {"LEGACY_OWNER_EMAIL": "Owner@Example.com"}
    with scratch_database("gf_mig_remap_owner") as name:
        _legacy_with_strings(name)
        query(
            name,
            "INSERT INTO application_history (grant_id, user_id, status) VALUES (1, 'OWNER@example.com', 'APPLIED')"
            " RETURNING id",
        )
        _migrate_with_users_present(name, env=env)
        owners = _owners(name)
        assert owners.pop("OWNER@example.com") == "Owner@Example.com"
        assert owners == _expected("Owner@Example.com")
        owner_id, is_active = query(name, "SELECT id, is_active FROM users WHERE email = 'Owner@Example.com'")[0]
        assert is_active  # a real person, who links to Auth0 at their first verified sign-in
        assert scalar(name, "SELECT count(*) FROM users WHERE email = 'system@grantfinder.internal'") == 0
        for table in ("grants", "search_runs", "user_settings"):
            assert query(name, f"SELECT DISTINCT user_id FROM {table}") == [(owner_id,)], table
        assert scalar(
            name,
            "SELECT count(*) FROM saved_grants s JOIN user_settings u ON u.id = s.user_settings_id"
            " WHERE u.user_id = %s",
            [owner_id],
        ) == scalar(name, "SELECT count(*) FROM saved_grants")


def test_it_remaps_people_who_signed_up_after_the_deploy():
    with scratch_database("gf_mig_remap_cmd") as name:
        _legacy_with_strings(name)
        manage(name, "migrate", "accounts")
        manage(name, "migrate", "applications", "0001_initial")
        assert set(_owners(name).values()) == {"system@grantfinder.internal"}

        _create_users(name, PEOPLE)
        before = query(name, "SELECT id, user_id, user_id_old FROM application_history ORDER BY id")
        dry = manage(name, "remap_legacy_users", "--dry-run").stdout
        assert "would move by exact e-mail: 2" in dry and "would move by e-mail local part: 2" in dry
        assert "Dry run: nothing was changed." in dry
        assert query(name, "SELECT id, user_id, user_id_old FROM application_history ORDER BY id") == before

        applied = manage(name, "remap_legacy_users").stdout
        assert "Moved 4 row(s)." in applied
        assert _owners(name) == _expected("system@grantfinder.internal")

        after_first = query(name, "SELECT id, user_id, user_id_old FROM application_history ORDER BY id")
        again = manage(name, "remap_legacy_users").stdout
        assert "Moved 0 row(s)." in again
        assert query(name, "SELECT id, user_id, user_id_old FROM application_history ORDER BY id") == after_first
