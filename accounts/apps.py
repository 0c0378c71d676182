from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from social_django.models import UserSocialAuth

        from accounts.models import User, UserSettings
        from accounts.registry import owner_models

        owner_models.register(User, owner="pk", exclude=["password"])
        owner_models.register(UserSettings, owner="user")
        # The Auth0 link; its tokens are secrets, not the user's data to carry around.
        owner_models.register(UserSocialAuth, owner="user", exclude=["extra_data"])
