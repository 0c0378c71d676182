from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


def _extensions_without_migrations(sender, using, **kwargs):
    """The extensions grants' indexes need, when its tables are built straight from the models.

    That is the test suite's ``--nomigrations``; otherwise migration 0007 creates them.
    """
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    if MigrationLoader.migrations_module(sender.label)[0] is None:
        with connections[using].cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS btree_gin")


def _triggers_without_migrations(sender, using, **kwargs):
    """The grant_figures triggers, when the tables are built from the models; else migration 0008."""
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    from grants.figures_sql import INSTALL

    if MigrationLoader.migrations_module(sender.label)[0] is None:
        with connections[using].cursor() as cursor:
            cursor.execute(INSTALL)


class GrantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grants"

    def ready(self):
        pre_migrate.connect(_extensions_without_migrations, sender=self)
        post_migrate.connect(_triggers_without_migrations, sender=self)
        from accounts.registry import owner_models
        from grants.models import (
            AlertDigest,
            AlertedOpportunity,
            Analysis,
            DeadlineReminder,
            Grant,
            SavedGrant,
            SavedSearch,
            SearchRun,
        )

        owner_models.register(Grant, owner="user")
        owner_models.register(Analysis, owner="grant__user")
        owner_models.register(SearchRun, owner="user")
        owner_models.register(SavedGrant, owner="user_settings__user")
        owner_models.register(SavedSearch, owner="user")
        owner_models.register(AlertDigest, owner="saved_search__user")
        owner_models.register(AlertedOpportunity, owner="saved_search__user")
        owner_models.register(DeadlineReminder, owner="grant__user")

        from accounts.admin_details import admin_details
        from accounts.models import UserSettings
        from core.first_steps import first_steps
        from grants.admin import saved_grants_admin_summary

        admin_details.register(UserSettings, "Saved grants", saved_grants_admin_summary)

        first_steps.register(
            order=20,
            label="Run your first search",
            why="It starts from your profile and scores every match.",
            url_name="grants:search",
            done=lambda user: SearchRun.objects.filter(user=user).exists(),
        )

        from core.workers import stale_task_handlers
        from grants.services.search_runs import search_run_interrupted
        from grants.tasks import execute_search_run

        # A search whose worker died mid-run fails with the reason and gives the search back.
        stale_task_handlers.register(execute_search_run, search_run_interrupted)

        from core.health import health_reports
        from grants.selectors import catalog_health

        # /health says how old the catalog is (informational: a stale catalog is no outage).
        health_reports.register("catalog", catalog_health)
