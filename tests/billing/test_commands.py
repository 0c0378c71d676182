from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from djstripe.models import WebhookEndpoint

from tests.billing.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


def test_it_creates_the_webhook_endpoint_from_settings(stripe_settings):
    out = io.StringIO()
    call_command("stripe_webhook_endpoint", stdout=out)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.id == "we_grantfinder"
    assert endpoint.secret == WEBHOOK_SECRET
    assert endpoint.url == f"http://127.0.0.1:8000/stripe/webhook/{endpoint.djstripe_uuid}/"
    assert endpoint.url in out.getvalue()


def test_it_keeps_the_url_and_updates_the_secret_when_run_again(stripe_settings):
    call_command("stripe_webhook_endpoint", stdout=io.StringIO())
    first = WebhookEndpoint.objects.get()
    stripe_settings.STRIPE_WEBHOOK_SECRET = "whsec_rotated"
    call_command("stripe_webhook_endpoint", stdout=io.StringIO())
    again = WebhookEndpoint.objects.get()
    assert again.djstripe_uuid == first.djstripe_uuid
    assert again.secret == "whsec_rotated"


def test_it_pins_a_chosen_uuid(stripe_settings):
    chosen = uuid.uuid4()
    call_command("stripe_webhook_endpoint", "--uuid", str(chosen), stdout=io.StringIO())
    assert WebhookEndpoint.objects.get().djstripe_uuid == chosen


def test_it_refuses_without_a_secret_or_with_a_bad_uuid(stripe_settings):
    with pytest.raises(CommandError, match="not a UUID"):
        call_command("stripe_webhook_endpoint", "--uuid", "nope", stdout=io.StringIO())
    stripe_settings.STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match="STRIPE_WEBHOOK_SECRET is not set"):
        call_command("stripe_webhook_endpoint", stdout=io.StringIO())
    assert not WebhookEndpoint.objects.exists()
