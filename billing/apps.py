from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"

    def ready(self):
        from billing import stripe_client, webhooks

        stripe_client.configure()
        webhooks.connect()
