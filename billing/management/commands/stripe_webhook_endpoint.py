from __future__ import annotations

import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from djstripe.models import WebhookEndpoint
from djstripe.settings import djstripe_settings

ENDPOINT_ID = "we_grantfinder"


class Command(BaseCommand):
    help = (
        "Create or update dj-stripe's WebhookEndpoint row from STRIPE_WEBHOOK_SECRET and print the URL "
        "to register in Stripe. Safe to re-run: the URL (its uuid) stays the same."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--uuid", help="The uuid in the webhook URL (default: keep the existing one, or a new one)."
        )
        parser.add_argument("--stripe-id", default=ENDPOINT_ID, help="Stripe's id of the endpoint (we_...).")

    def handle(self, *args, uuid: str | None = None, stripe_id: str = ENDPOINT_ID, **options):
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            raise CommandError("STRIPE_WEBHOOK_SECRET is not set: copy the endpoint's signing secret from Stripe.")
        endpoint = WebhookEndpoint.objects.filter(id=stripe_id).first() or WebhookEndpoint(id=stripe_id)
        if uuid:
            try:
                endpoint.djstripe_uuid = _parse_uuid(uuid)
            except ValueError as exc:
                raise CommandError(f"--uuid {uuid!r} is not a UUID.") from exc
        path = reverse("djstripe:djstripe_webhook_by_uuid", kwargs={"uuid": endpoint.djstripe_uuid})
        endpoint.url = f"{settings.SITE_URL.rstrip('/')}{path}"
        endpoint.secret = secret
        endpoint.livemode = settings.STRIPE_LIVE_MODE
        endpoint.enabled_events = ["*"]
        endpoint.status = "enabled"
        endpoint.api_version = djstripe_settings.STRIPE_API_VERSION
        endpoint.stripe_data = endpoint.stripe_data or {"id": stripe_id, "object": "webhook_endpoint"}
        endpoint.save()
        self.stdout.write(f"Webhook endpoint {stripe_id}: register {endpoint.url} in Stripe.")


def _parse_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)
