from django.apps import AppConfig


class GrantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grants"

    def ready(self):
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

        from accounts.workers import stale_task_handlers
        from grants.services.search_runs import search_run_interrupted
        from grants.tasks import execute_search_run

        # A search whose worker died mid-run fails with the reason and gives the search back.
        stale_task_handlers.register(execute_search_run, search_run_interrupted)

        from accounts.health import health_reports
        from grants.selectors import catalog_health

        # /health says how old the catalog is (informational: a stale catalog is no outage).
        health_reports.register("catalog", catalog_health)
