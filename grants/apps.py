from django.apps import AppConfig


class GrantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grants"

    def ready(self):
        from accounts.registry import owner_models
        from grants.models import Analysis, Grant, SavedGrant, SearchRun

        owner_models.register(Grant, owner="user")
        owner_models.register(Analysis, owner="grant__user")
        owner_models.register(SearchRun, owner="user")
        owner_models.register(SavedGrant, owner="user_settings__user")
