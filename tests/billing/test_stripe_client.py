from __future__ import annotations

import pytest
import stripe

from billing import stripe_client
from billing.exceptions import BillingNotConfigured


def test_it_points_stripe_at_stripe_api_base_when_set(settings, monkeypatch):
    monkeypatch.setattr(stripe, "api_base", "https://api.stripe.com")
    settings.STRIPE_API_BASE = "http://127.0.0.1:12111"
    stripe_client.configure()
    assert stripe.api_base == "http://127.0.0.1:12111"


def test_it_leaves_stripe_alone_without_stripe_api_base(settings, monkeypatch):
    monkeypatch.setattr(stripe, "api_base", "https://api.stripe.com")
    settings.STRIPE_API_BASE = ""
    stripe_client.configure()
    assert stripe.api_base == "https://api.stripe.com"


def test_it_refuses_to_call_stripe_without_keys(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(BillingNotConfigured):
        stripe_client.portal_session_create(customer_id="cus_1", return_url="http://testserver/billing/")


@pytest.mark.django_db
def test_it_syncs_a_subscription_named_by_an_event_from_stripe(fake_stripe):
    from tests.billing.conftest import load_event

    fake_stripe.put(load_event("customer_subscription_created")["data"]["object"])
    subscription = stripe_client.subscription_sync(subscription_id="sub_1")
    assert subscription.id == "sub_1"
    assert subscription.stripe_data["status"] == "active"
    assert ("GET", "/v1/subscriptions/sub_1") in [(r.method, r.path) for r in fake_stripe.requests]
