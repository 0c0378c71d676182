from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "profiles"

    def ready(self):
        from accounts.registry import owner_models
        from profiles.models import BusinessProfile

        # Add files=<queryset -> storage names> once documents are stored, so export and purge see them.
        owner_models.register(BusinessProfile, owner="user")
