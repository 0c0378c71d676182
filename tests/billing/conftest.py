"""Stripe for billing tests: keys and prices in settings, a fake Stripe on 127.0.0.1, signed events."""

from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
import time
from pathlib import Path

import pytest
import stripe
from django.core.management import call_command
from djstripe.models import WebhookEndpoint

from tests.billing.fake_stripe import FakeStripe

EVENTS = Path(__file__).parent / "stripe_events"
WEBHOOK_SECRET = "whsec_test_grantfinder_billing"
SECRET_KEY = "sk_test_" + "x" * 24


def load_event(name: str, *, user=None) -> dict:
    text = (EVENTS / f"{name}.json").read_text()
    if user is not None:
        text = text.replace("__USER_ID__", str(user.pk))
    return json.loads(text)


def stripe_signature(payload: str, secret: str, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_TEST_SECRET_KEY = settings.STRIPE_LIVE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_" + "y" * 24
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    plans = copy.deepcopy(settings.PLANS)
    plans["basic"]["stripe_price_id"] = "price_basic"
    plans["pro"]["stripe_price_id"] = "price_pro"
    settings.PLANS = plans
    return settings


@pytest.fixture
def fake_stripe(monkeypatch, stripe_settings):
    fake = FakeStripe().start()
    monkeypatch.setattr(stripe, "api_base", fake.url)
    # A refused or failed call must fail the test at once, not after stripe's back-off retries.
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    objects = json.loads((EVENTS / "objects.json").read_text())
    fake.put(objects["customer"])
    for product in objects["products"]:
        fake.put(product)
    yield fake
    fake.stop()


@pytest.fixture
def webhook_endpoint(db, stripe_settings):
    call_command("stripe_webhook_endpoint", stdout=io.StringIO())
    return WebhookEndpoint.objects.get(id="we_grantfinder")


@pytest.fixture
def post_event(client, webhook_endpoint, fake_stripe):
    """Post an event the way Stripe does: its object stored in the fake first, then signed and sent."""

    def post(event: dict, *, secret: str = WEBHOOK_SECRET, store: bool = True, timestamp: int | None = None):
        if store:
            fake_stripe.put(event["data"]["object"])
        payload = json.dumps(event)
        return client.post(
            f"/stripe/webhook/{webhook_endpoint.djstripe_uuid}/",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": stripe_signature(payload, secret, timestamp=timestamp)},
        )

    return post
