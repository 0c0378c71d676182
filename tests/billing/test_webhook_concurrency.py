from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from djstripe.models import Event

from billing.models import BillingNotice, Subscription
from tests.billing.conftest import WEBHOOK_SECRET, load_event, stripe_signature
from tests.factories import UserFactory
from tests.race import all_at_once


@pytest.mark.django_db(transaction=True)
def test_it_processes_an_event_delivered_10_times_concurrently_once(post_event, fake_stripe, webhook_endpoint):
    user = UserFactory()
    Subscription.objects.create(user=user, stripe_customer_id="cus_1")
    assert post_event(load_event("customer_subscription_created")).status_code == 200
    event = load_event("invoice_payment_failed")
    fake_stripe.put(event["data"]["object"])
    payload = json.dumps(event)
    url = f"/stripe/webhook/{webhook_endpoint.djstripe_uuid}/"

    def deliver() -> int:
        return (
            Client()
            .post(
                url,
                data=payload,
                content_type="application/json",
                headers={"Stripe-Signature": stripe_signature(payload, WEBHOOK_SECRET)},
            )
            .status_code
        )

    statuses = all_at_once([deliver] * 10)

    assert statuses == [200] * 10
    assert Event.objects.filter(id=event["id"]).count() == 1
    assert BillingNotice.objects.filter(user=user, kind="payment_failed").count() == 1
    assert len(mail.outbox) == 1
    user.refresh_from_db()
    assert user.subscription_status == "PAST_DUE"
