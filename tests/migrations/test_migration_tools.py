"""The outside migration tools bar.md names, run for real (lines 5 and 10).

Line 5: django-migration-linter (``lintmigrations --warnings-as-errors``'s linter, every warning an
error) over every project migration. What it reports and the project accepts is waived below, per
migration and per linter check, with the reason; anything else fails. A new migration the linter
flags: make it safe (CONCURRENTLY, NOT VALID, a constant default), or add its waiver here saying why. Line 10: ``check --deploy
--database default --fail-level WARNING`` with django-test-migrations' ``AutoNames`` and
``DatabaseConfiguration`` checks installed (tests/tool_settings.py) exits 0 under production
settings, and each check does fire when its rule is broken.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django_migration_linter import MigrationLinter
from django_test_migrations.checks.autonames import check_migration_names

# Every app whose code is in this repository (a new app is covered the day it is installed).
PROJECT_APPS = [
    config.label
    for config in apps.get_app_configs()
    if "site-packages" not in config.path and Path(config.path).is_relative_to(settings.BASE_DIR)
]

# Migrations the linter cannot read: Django's sqlmigrate *runs* a RunPython nested in
# SeparateDatabaseAndState while collecting SQL, so linting these would execute the legacy
# conversion (or fail half-way on a database that already has it). Their effect is proven on real
# databases instead: tests/migrations/test_legacy_migrate.py (row checksums, schema equal to a
# fresh migrate, exact rollback) and test_migration_locks.py's own scan of their schema SQL.
UNREADABLE = {
    ("accounts", "0002_adopt_user_settings"): "adopts the legacy user_settings table (RunPython)",
    ("accounts", "0009_worker_heartbeat_to_core"): "moves the heartbeat table's model to core, table kept",
    ("applications", "0001_initial"): "adopts the legacy application_history table and remaps its owners",
    ("core", "0001_initial"): "takes over the heartbeat table from accounts without touching it",
    ("grants", "0001_initial"): "adopts the legacy grants, analyses, search_runs and saved_grants tables",
}

# (app, migration) -> {linter check code: why it is acceptable there}.
NEW_TABLE = "the table is created earlier in the same migration or release, so it is empty when this runs"
CONSTANT_DEFAULT = "each new NOT NULL column has a constant default: PostgreSQL 11+ adds it without a rewrite"
WAIVERS: dict[tuple[str, str], dict[str, str]] = {
    ("applications", "0002_generation_state_and_history_link"): {
        "NOT_NULL": CONSTANT_DEFAULT,
    },
    ("applications", "0003_llm_estimated_tokens_and_incomplete_sections"): {
        "NOT_NULL": CONSTANT_DEFAULT,
    },
    ("funders", "0002_grant_search_purpose_only"): {
        "DROP_COLUMN": "a generated column cannot be altered, only replaced; funder_grants is new in the same "
        "release (funders 0001) and the column is rebuilt from purpose, so nothing is lost",
        "DROP_INDEX": NEW_TABLE,
        "CREATE_INDEX": NEW_TABLE,
        "CREATE_INDEX_EXCLUSIVE": NEW_TABLE,
    },
    ("funders", "0003_return_paid_grants"): {
        "NOT_NULL": "constant default 0: added without a rewrite; funder_returns is new in the same release",
    },
    ("grants", "0002_opportunity_catalog_and_alerts"): {
        "CREATE_INDEX": "new tables' indexes, and one partial index on grants over a column this migration adds "
        "(all NULL), built during the legacy conversion deploy (waived with its timing in test_migration_locks.py)",
        "CREATE_INDEX_EXCLUSIVE": "as CREATE_INDEX: empty or all-NULL, built in the conversion deploy",
    },
    ("grants", "0009_opportunity_source_hash"): {
        "NOT_NULL": "constant default '': PostgreSQL 11+ adds it to opportunities without a rewrite",
    },
    ("profiles", "0002_documents_and_passages"): {
        "CREATE_INDEX": NEW_TABLE,
        "CREATE_INDEX_EXCLUSIVE": NEW_TABLE,
    },
    ("profiles", "0003_encrypt_at_rest"): {
        "DROP_COLUMN": "the passages' search column stops being generated from the (now encrypted) text and is "
        "re-created as a plain column filled by the data migration; it is derived data, nothing is lost",
        "DROP_INDEX": "its GIN index goes with the column and is rebuilt on the new one in the same migration",
        "CREATE_INDEX": "profile_passages holds a few thousand rows per profile (waived in test_migration_locks.py)",
        "CREATE_INDEX_EXCLUSIVE": "as CREATE_INDEX",
    },
}


class ProjectLinter(MigrationLinter):
    """The linter over the project's apps, with the waivers above; it records what it reports."""

    def __init__(self, waivers, **kwargs):
        self.waivers = waivers
        self.reported: list[str] = []
        super().__init__(
            include_apps=PROJECT_APPS, no_cache=True, all_warnings_as_errors=True, quiet=["ok", "ignore"], **kwargs
        )

    def should_ignore_migration(self, app_label, migration_name, operations=(), is_initial=False):
        return (app_label, migration_name) in UNREADABLE or super().should_ignore_migration(
            app_label, migration_name, operations, is_initial
        )

    def lint_migration(self, migration):
        self.exclude_migration_tests = list(self.waivers.get((migration.app_label, migration.name), {}))
        self._current = f"{migration.app_label}.{migration.name}"
        super().lint_migration(migration)

    def print_linting_msg(self, app_label, migration_name, msg, lint_result):
        self._result = msg
        super().print_linting_msg(app_label, migration_name, msg, lint_result)

    def print_errors(self, errors):
        if self._result == "ERR":  # not the waived ones, which it prints after "OK (ignored)"
            self.reported += [f"{self._current}: {error.code} {error.message}" for error in errors]
        super().print_errors(errors)


@pytest.fixture
def _real_migrations(settings):
    settings.MIGRATION_MODULES = {}  # the suite runs with --nomigrations


def _lint(waivers) -> ProjectLinter:
    linter = ProjectLinter(waivers)
    with contextlib.redirect_stdout(io.StringIO()):
        linter.lint_all_migrations()
    return linter


# Outside a transaction, as migrate runs them: grants 0007's index operation builds CONCURRENTLY
# only there (tests/migrations/test_index_ops.py), and the linter reads the SQL it would run.
@pytest.mark.django_db(transaction=True)
def test_the_migration_linter_passes_with_warnings_as_errors(_real_migrations):
    linter = _lint(WAIVERS)

    assert linter.reported == []
    assert not linter.has_errors
    assert linter.nb_valid >= 20, "the linter read almost nothing"
    assert set(WAIVERS).isdisjoint(UNREADABLE)

    # Without the waivers it reports exactly the waived checks: none is stale, and it can fail.
    unwaived = _lint({})
    reported = {(line.split(":")[0], line.split(": ")[1].split()[0]) for line in unwaived.reported}
    assert unwaived.has_errors
    assert reported == {(f"{app}.{name}", code) for (app, name), codes in WAIVERS.items() for code in codes}


# --- check --deploy with django-test-migrations' checks ---------------------------------------------


def _check_deploy(extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.tool_settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "grantfinder.example.com",
            "ENCRYPTION_KEYS": settings.TEST_ENCRYPTION_KEY,
            # The test run's own database: the checks read its server's settings.
            "TOOL_DATABASE_NAME": connection.settings_dict["NAME"],
            **(extra_env or {}),
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--database", "default", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_check_deploy_with_django_test_migrations_checks_exits_0():
    result = _check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_database_configuration_fires_without_a_statement_timeout():
    result = _check_deploy({"DATABASE_STATEMENT_TIMEOUT_MS": "0"})

    assert result.returncode != 0
    assert "django_test_migrations.checks.database_configuration.W001" in result.stdout + result.stderr


@pytest.mark.django_db
def test_every_connection_sets_the_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'statement_timeout'")
        assert cursor.fetchone()[0] == settings.DATABASE_STATEMENT_TIMEOUT_MS == 300_000


@pytest.mark.django_db
def test_migrate_runs_its_steps_without_the_statement_timeout(monkeypatch):
    from django.core.management import call_command
    from django.core.management.commands.migrate import Command as DjangoMigrateCommand

    seen = []

    def steps(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setting FROM pg_settings WHERE name IN ('lock_timeout', 'statement_timeout') ORDER BY name"
            )
            seen.append(tuple(row[0] for row in cursor.fetchall()))

    monkeypatch.setattr(DjangoMigrateCommand, "handle", steps)

    call_command("migrate", verbosity=0)

    assert seen == [(str(settings.MIGRATION_LOCK_TIMEOUT_MS), "0")]  # lock_timeout, statement_timeout (ms)


def test_auto_names_fires_for_an_auto_named_migration(settings):
    settings.MIGRATION_MODULES = {}  # the real migrations (the suite runs with --nomigrations)
    settings.DTM_IGNORED_MIGRATIONS = {("axes", "*"), ("social_django", "*")}  # as tests/tool_settings.py
    assert check_migration_names() == []

    settings.MIGRATION_MODULES = {"funders": "tests.migrations.autonamed"}

    assert [message.id for message in check_migration_names()] == ["django_test_migrations.checks.autonames.W001"]
