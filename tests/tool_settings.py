"""Production settings plus the outside migration tools the bar names (bar.md lines 5 and 10).

Only ``tests/migrations/test_migration_tools.py`` runs these, in a fresh ``manage.py`` process: the
tools are dev requirements, so production never installs them. ``TOOL_DATABASE_NAME`` points the
checks at the test run's own database.
"""

import os

from grantfinder.settings import *  # noqa: F403
from grantfinder.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [
    *INSTALLED_APPS,
    # django-test-migrations' checks: no auto-named migration; statement_timeout set and sane.
    "django_test_migrations.contrib.django_checks.AutoNames",
    "django_test_migrations.contrib.django_checks.DatabaseConfiguration",
    # django-migration-linter's `lintmigrations`.
    "django_migration_linter",
]
# Third-party apps' own migration names: not ours to rename (DTM's documented ignore setting).
DTM_IGNORED_MIGRATIONS = {("axes", "*"), ("social_django", "*")}
if os.environ.get("TOOL_DATABASE_NAME"):
    DATABASES = {**DATABASES, "default": {**DATABASES["default"], "NAME": os.environ["TOOL_DATABASE_NAME"]}}
