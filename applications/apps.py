from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"

    def ready(self):
        from accounts.registry import owner_models
        from applications.models import ApplicationHistory, GeneratedApplication

        owner_models.register(ApplicationHistory, owner="user")
        owner_models.register(GeneratedApplication, owner="user")
