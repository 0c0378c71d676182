from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"

    def ready(self):
        from accounts.registry import owner_models
        from billing import stripe_client, webhooks
        from billing.models import BillingNotice, Subscription, UsageRecord

        # What "Download my data" exports and the account purge erases (accounts.registry).
        owner_models.register(Subscription, owner="user")
        owner_models.register(BillingNotice, owner="user")
        owner_models.register(UsageRecord, owner="user")
        from accounts.admin_details import admin_details
        from accounts.models import User
        from billing.admin import subscription_admin_summary

        admin_details.register(User, "Subscription", subscription_admin_summary)
        stripe_client.configure()
        webhooks.connect()
