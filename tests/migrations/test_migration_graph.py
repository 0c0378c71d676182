"""Checks on the migrations themselves that need no scratch database."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader

# Every app whose code is in this repository (a new app is covered the day it is installed).
PROJECT_APPS = {
    config.label
    for config in apps.get_app_configs()
    if "site-packages" not in config.path and Path(config.path).is_relative_to(settings.BASE_DIR)
}


@pytest.fixture(autouse=True)
def _real_migrations(settings):
    # The suite runs with --nomigrations, which hides every migration module from the loader.
    settings.MIGRATION_MODULES = {}


@pytest.mark.django_db  # makemigrations checks the recorded history for consistency
def test_it_has_a_migration_for_every_model_change():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_it_can_reverse_every_project_migration():
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    assert ("grants", "0001_initial") in loader.disk_migrations
    assert {"core", "funders", "legacy"} <= PROJECT_APPS
    irreversible = [
        f"{app}.{name}: {operation.describe()}"
        for (app, name), migration in loader.disk_migrations.items()
        if app in PROJECT_APPS
        for operation in migration.operations
        if not operation.reversible
    ]
    assert irreversible == []


def test_it_converts_legacy_tables_before_retiring_alembic():
    """The remap runs after the users table exists and before alembic_version goes."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    plan = [f"{app}.{name}" for app, name in loader.graph.forwards_plan(("applications", "0001_initial"))]
    assert plan.index("accounts.0001_initial") < plan.index("accounts.0002_adopt_user_settings")
    assert plan.index("accounts.0002_adopt_user_settings") < plan.index("grants.0001_initial")
    assert plan[-1] == "applications.0001_initial"
