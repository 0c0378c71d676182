"""Signed Stripe events posted to dj-stripe's webhook URL, Stripe's API answered by the fake."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.core import mail
from djstripe.models import Customer as StripeCustomer
from djstripe.models import Event, WebhookEventTrigger
from djstripe.models import Subscription as StripeSubscription

from accounts.models import User
from billing.models import BillingNotice, Subscription
from billing.services.usage import usage_consume_search
from tests.billing.conftest import EVENTS, WEBHOOK_SECRET, load_event, stripe_signature
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime.fromtimestamp(1_790_000_000, tz=dt.UTC)
MONTH = dt.timedelta(days=30)


@pytest.fixture
def linked_user(user):
    """The owner after Checkout: our subscription row knows their Stripe customer."""
    Subscription.objects.create(user=user, stripe_customer_id="cus_1")
    return user


def _state(user: User) -> tuple:
    user.refresh_from_db()
    subscription = Subscription.objects.filter(user=user).first()
    return (
        user.subscription_tier,
        user.subscription_status,
        user.searches_limit,
        user.applications_limit,
        user.searches_used,
        subscription and (subscription.plan_name, subscription.status, subscription.stripe_subscription_id),
    )


def test_it_applies_customer_subscription_created(post_event, linked_user):
    response = post_event(load_event("customer_subscription_created"))

    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(user=linked_user)
    assert subscription.stripe_subscription_id == "sub_1"
    assert (subscription.plan_name, subscription.status) == ("basic", "ACTIVE")
    assert (subscription.amount, subscription.currency) == (1500, "usd")
    assert (subscription.current_period_start, subscription.current_period_end) == (T0, T0 + MONTH)
    assert (subscription.searches_remaining, subscription.applications_remaining) == (50, 20)
    assert subscription.cancel_at_period_end is False and subscription.auto_renew is True
    assert subscription.canceled_at is None
    assert subscription.last_event_at == T0 + dt.timedelta(seconds=1)
    linked_user.refresh_from_db()
    assert linked_user.subscription_tier == "basic"
    assert linked_user.subscription_status == "ACTIVE"
    assert (linked_user.searches_limit, linked_user.applications_limit) == (50, 20)
    assert Event.objects.filter(id="evt_sub_created_1").count() == 1


def test_it_applies_customer_subscription_updated(post_event, linked_user):
    post_event(load_event("customer_subscription_created"))
    linked_user.searches_used = 7
    linked_user.save()

    response = post_event(load_event("customer_subscription_updated"))

    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(user=linked_user)
    assert (subscription.plan_name, subscription.status, subscription.amount) == ("pro", "ACTIVE", 4900)
    assert subscription.cancel_at_period_end is True
    assert subscription.auto_renew is False
    assert (subscription.searches_remaining, subscription.applications_remaining) == (243, 100)
    linked_user.refresh_from_db()
    assert (linked_user.subscription_tier, linked_user.searches_limit, linked_user.applications_limit) == (
        "pro",
        250,
        100,
    )
    assert linked_user.searches_used == 7  # an upgrade changes the allowance, not what was used


def test_it_returns_the_user_to_the_free_plan_on_customer_subscription_deleted(post_event, linked_user):
    post_event(load_event("customer_subscription_created"))

    response = post_event(load_event("customer_subscription_deleted"))

    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(user=linked_user)
    assert (subscription.plan_name, subscription.status, subscription.amount) == ("free", "CANCELED", 0)
    assert subscription.canceled_at == T0 + dt.timedelta(seconds=200)
    assert subscription.auto_renew is False
    linked_user.refresh_from_db()
    assert (linked_user.subscription_tier, linked_user.subscription_status) == ("free", "CANCELED")
    assert (linked_user.searches_limit, linked_user.applications_limit) == (5, 1)


def test_it_links_the_customer_and_applies_the_plan_on_checkout_session_completed(post_event, fake_stripe, user):
    fake_stripe.put(load_event("customer_subscription_created")["data"]["object"])

    response = post_event(load_event("checkout_session_completed", user=user))

    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(user=user)
    assert subscription.stripe_customer_id == "cus_1"
    assert (subscription.stripe_subscription_id, subscription.plan_name, subscription.status) == (
        "sub_1",
        "basic",
        "ACTIVE",
    )
    assert StripeCustomer.objects.get(id="cus_1").subscriber == user
    user.refresh_from_db()
    assert (user.subscription_tier, user.searches_limit, user.applications_limit) == ("basic", 50, 20)


def _subscription(status: str) -> dict:
    """Stripe's subscription sub_1 (basic) in the given status."""
    subscription = load_event("customer_subscription_created")["data"]["object"]
    return {**subscription, "status": status}


def _checkout_started(user) -> None:
    """What starting Checkout leaves behind: dj-stripe's customer cus_1 belongs to the user."""
    customer = json.loads((EVENTS / "objects.json").read_text())["customer"]
    StripeCustomer.sync_from_stripe_data(customer)
    StripeCustomer.objects.filter(id="cus_1").update(subscriber=user)


def test_checkout_completed_puts_the_user_on_the_paid_plan_at_once_not_on_a_stale_local_row(
    post_event, fake_stripe, user
):
    _checkout_started(user)
    # Checkout creates the subscription before the first payment is confirmed: Stripe announces it
    # "incomplete", and dj-stripe and our row both record that.
    created = load_event("customer_subscription_created")
    created["data"]["object"] = _subscription("incomplete")
    assert post_event(created).status_code == 200
    assert _state(user)[:2] == ("free", "INCOMPLETE")
    # The payment goes through: in Stripe the subscription is now active. Checkout completes.
    fake_stripe.put(_subscription("active"))
    fake_stripe.requests.clear()

    response = post_event(load_event("checkout_session_completed", user=user))

    assert response.status_code == 200, response.content
    assert any(r.method == "GET" and r.path == "/v1/subscriptions/sub_1" for r in fake_stripe.requests)
    user.refresh_from_db()
    assert (user.subscription_tier, user.subscription_status) == ("basic", "ACTIVE")
    assert (user.searches_limit, user.applications_limit) == (50, 20)
    subscription = Subscription.objects.get(user=user)
    assert (subscription.plan_name, subscription.status, subscription.amount) == ("basic", "ACTIVE", 1500)
    # dj-stripe's own copy was synced from Stripe too, not left stale.
    assert StripeSubscription.objects.get(id="sub_1").status == "active"


def test_checkout_completed_applies_stripes_current_state_even_after_a_newer_event(post_event, fake_stripe, user):
    _checkout_started(user)
    post_event(load_event("customer_subscription_created"))
    post_event(load_event("customer_subscription_updated"))  # T0+100: upgraded to pro
    assert _state(user)[0] == "pro"

    # The Checkout event (T0+5) arrives late; Stripe's subscription is still pro.
    response = post_event(load_event("checkout_session_completed", user=user))

    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.subscription_tier == "pro"
    assert Subscription.objects.get(user=user).last_event_at == T0 + dt.timedelta(seconds=100)


def test_checkout_completed_while_stripe_cannot_be_asked_changes_nothing_and_redelivery_applies_it(
    client, post_event, fake_stripe, user
):
    _checkout_started(user)
    client.raise_request_exception = False
    event = load_event("checkout_session_completed", user=user)
    before = _state(user)
    fake_stripe.objects.pop("/v1/subscriptions/sub_1", None)  # Stripe answers 404 for it this time

    failed = post_event(event)

    assert failed.status_code == 500
    assert _state(user) == before
    assert not Event.objects.filter(id=event["id"]).exists()

    fake_stripe.put(_subscription("active"))
    redelivered = post_event(event)

    assert redelivered.status_code == 200, redelivered.content
    user.refresh_from_db()
    assert (user.subscription_tier, user.subscription_status) == ("basic", "ACTIVE")


def test_it_ignores_a_checkout_whose_customer_belongs_to_another_user(post_event, fake_stripe, user, other_user):
    Subscription.objects.create(user=other_user, stripe_customer_id="cus_1")
    fake_stripe.put(load_event("customer_subscription_created")["data"]["object"])
    before = _state(user)

    response = post_event(load_event("checkout_session_completed", user=user))

    assert response.status_code == 200
    assert _state(user) == before
    assert not Subscription.objects.filter(user=user).exists()


def test_it_starts_a_new_usage_period_on_invoice_paid(post_event, linked_user):
    post_event(load_event("customer_subscription_created"))
    User.objects.filter(pk=linked_user.pk).update(
        searches_used=42, applications_used=3, usage_period_start=T0, usage_period_end=T0 + MONTH
    )

    response = post_event(load_event("invoice_paid"))

    assert response.status_code == 200, response.content
    linked_user.refresh_from_db()
    assert (linked_user.searches_used, linked_user.applications_used) == (0, 0)
    assert (linked_user.usage_period_start, linked_user.usage_period_end) == (T0 + MONTH, T0 + 2 * MONTH)
    subscription = Subscription.objects.get(user=linked_user)
    assert (subscription.searches_remaining, subscription.applications_remaining) == (50, 20)
    assert (subscription.current_period_start, subscription.current_period_end) == (T0 + MONTH, T0 + 2 * MONTH)
    assert (subscription.plan_name, subscription.status) == ("basic", "ACTIVE")
    assert (linked_user.subscription_tier, linked_user.searches_limit, linked_user.applications_limit) == (
        "basic",
        50,
        20,
    )


def test_it_processes_the_same_event_twice_only_once(post_event, linked_user, fake_stripe):
    post_event(load_event("customer_subscription_created"))
    event = load_event("invoice_paid")
    assert post_event(event).status_code == 200
    usage_consume_search(user=linked_user)  # used 1 in the new period
    calls_before = len(fake_stripe.requests)

    again = post_event(event)

    assert again.status_code == 200
    assert Event.objects.filter(id="evt_invoice_paid_2").count() == 1
    assert len(fake_stripe.requests) == calls_before  # dj-stripe did not even re-fetch
    linked_user.refresh_from_db()
    assert linked_user.searches_used == 1  # not reset a second time


def test_it_does_not_reset_usage_again_for_the_same_invoice_under_another_event_id(post_event, linked_user):
    post_event(load_event("customer_subscription_created"))
    post_event(load_event("invoice_paid"))
    usage_consume_search(user=linked_user)
    event = load_event("invoice_paid")
    event["id"] = "evt_invoice_paid_2_again"

    assert post_event(event).status_code == 200

    linked_user.refresh_from_db()
    assert linked_user.searches_used == 1


def test_it_marks_past_due_and_sends_one_email_on_invoice_payment_failed(
    post_event, linked_user, owner_client, django_capture_on_commit_callbacks
):
    post_event(load_event("customer_subscription_created"))

    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(load_event("invoice_payment_failed"))
    with django_capture_on_commit_callbacks(execute=True):
        post_event(load_event("invoice_payment_failed"))  # redelivered
    retry = load_event("invoice_payment_failed")
    retry["id"], retry["created"] = "evt_invoice_failed_2_retry", retry["created"] + 86400
    retry["data"]["object"]["attempt_count"] = 2
    with django_capture_on_commit_callbacks(execute=True):
        post_event(retry)  # Stripe's next attempt at the same invoice fails too

    assert response.status_code == 200, response.content
    linked_user.refresh_from_db()
    assert linked_user.subscription_status == "PAST_DUE"
    assert Subscription.objects.get(user=linked_user).status == "PAST_DUE"
    # Stripe is still retrying: the plan and its limits stay.
    assert (linked_user.subscription_tier, linked_user.searches_limit, linked_user.applications_limit) == (
        "basic",
        50,
        20,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [linked_user.email]
    assert message.subject == "Your Grant Finder payment failed"
    assert "15.00 USD" in message.body and "Basic plan" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<strong>15.00 USD</strong>" in html
    assert BillingNotice.objects.filter(user=linked_user, kind="payment_failed", key="in_2").count() == 1
    page = owner_client.get("/billing/")
    assert b'id="past-due-banner"' in page.content


def test_it_clears_past_due_when_the_invoice_is_paid(post_event, linked_user, fake_stripe):
    post_event(load_event("customer_subscription_created"))
    post_event(load_event("invoice_payment_failed"))

    post_event(load_event("invoice_paid"))

    linked_user.refresh_from_db()
    assert linked_user.subscription_status == "ACTIVE"
    assert Subscription.objects.get(user=linked_user).status == "ACTIVE"


def test_it_ignores_a_late_payment_failure_for_an_invoice_paid_since(post_event, linked_user, fake_stripe):
    post_event(load_event("customer_subscription_created"))
    post_event(load_event("invoice_paid"))  # the fake now holds in_2 as paid

    post_event(load_event("invoice_payment_failed"), store=False)

    linked_user.refresh_from_db()
    assert linked_user.subscription_status == "ACTIVE"
    assert mail.outbox == []


@pytest.mark.parametrize("stripe_serves", ["current_state", "stale_state"])
def test_it_never_rolls_back_a_deleted_subscription_for_an_older_updated(post_event, linked_user, stripe_serves):
    post_event(load_event("customer_subscription_created"))
    post_event(load_event("customer_subscription_deleted"))
    # Stripe re-fetches normally show the canceled subscription ("current_state"); "stale_state"
    # has the fake answer with the older payload, so only our event-time guard can protect us.
    older_update = load_event("customer_subscription_updated")

    response = post_event(older_update, store=stripe_serves == "stale_state")

    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(user=linked_user)
    assert (subscription.status, subscription.plan_name) == ("CANCELED", "free")
    assert subscription.last_event_at == T0 + dt.timedelta(seconds=200)
    linked_user.refresh_from_db()
    assert (linked_user.subscription_tier, linked_user.searches_limit) == ("free", 5)


def test_it_ignores_events_for_customers_it_does_not_know(post_event, user):
    before = _state(user)
    response = post_event(load_event("customer_subscription_created"))
    assert response.status_code == 200
    assert _state(user) == before
    assert not Subscription.objects.exists()


def _post_raw(client, endpoint, payload: str, headers: dict):
    return client.post(
        f"/stripe/webhook/{endpoint.djstripe_uuid}/", data=payload, content_type="application/json", headers=headers
    )


@pytest.mark.parametrize("fault", ["tampered_body", "wrong_secret", "missing_signature", "timestamp_301s_old"])
def test_it_rejects_a_badly_signed_event_with_400_and_changes_nothing(
    client, webhook_endpoint, fake_stripe, linked_user, fault
):
    fake_stripe.put(load_event("customer_subscription_created")["data"]["object"])
    before = _state(linked_user)
    payload = json.dumps(load_event("customer_subscription_created"))
    signature = stripe_signature(payload, WEBHOOK_SECRET)
    if fault == "tampered_body":
        payload = payload.replace('"unit_amount": 1500', '"unit_amount": 1')
    elif fault == "wrong_secret":
        signature = stripe_signature(payload, "whsec_not_the_right_one")
    elif fault == "timestamp_301s_old":
        signature = stripe_signature(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    headers = {} if fault == "missing_signature" else {"Stripe-Signature": signature}

    response = _post_raw(client, webhook_endpoint, payload, headers)

    assert response.status_code == 400
    assert not Event.objects.exists()
    assert _state(linked_user) == before
    assert fake_stripe.requests == []
    triggers = WebhookEventTrigger.objects.all()
    if fault == "missing_signature":
        assert not triggers.exists()
    else:
        assert [(t.valid, t.processed) for t in triggers] == [(False, False)]


def test_it_accepts_an_event_signed_290s_ago(post_event, linked_user):
    timestamp = int(time.time()) - 290
    assert post_event(load_event("customer_subscription_created"), timestamp=timestamp).status_code == 200


def test_it_rolls_back_a_failing_receiver_and_succeeds_on_redelivery(client, post_event, linked_user, monkeypatch):
    from billing.services import subscriptions as services

    real = services._apply_limits

    def broken(**kwargs):
        raise RuntimeError("receiver failed mid-way")

    monkeypatch.setattr(services, "_apply_limits", broken)
    client.raise_request_exception = False
    before = _state(linked_user)

    failed = post_event(load_event("customer_subscription_created"))

    assert failed.status_code == 500
    assert _state(linked_user) == before
    assert not Event.objects.exists()
    trigger = WebhookEventTrigger.objects.get()
    assert "receiver failed mid-way" in trigger.traceback and trigger.processed is False

    monkeypatch.setattr(services, "_apply_limits", real)
    assert post_event(load_event("customer_subscription_created")).status_code == 200
    assert _state(linked_user)[0] == "basic"


def test_a_receiver_failing_after_its_first_write_leaves_none_of_its_writes(
    client, post_event, linked_user, monkeypatch
):
    """Bar line 22, mid-way: dj-stripe has synced its rows and our receiver has saved the user when
    the subscription row's save fails. Every one of those writes is rolled back; the trigger row
    keeps the traceback; Stripe's redelivery then applies the event once."""
    real_save = Subscription.save

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("subscription row could not be saved")

    monkeypatch.setattr(Subscription, "save", failing_save)
    client.raise_request_exception = False
    before = _state(linked_user)

    failed = post_event(load_event("customer_subscription_created"))

    assert failed.status_code == 500
    assert _state(linked_user) == before  # the user's saved tier and limits are gone with the rest
    assert not Event.objects.exists()
    assert not StripeSubscription.objects.exists()  # dj-stripe's own synced rows too
    trigger = WebhookEventTrigger.objects.get()
    assert "subscription row could not be saved" in trigger.traceback and trigger.processed is False

    monkeypatch.setattr(Subscription, "save", real_save)
    assert post_event(load_event("customer_subscription_created")).status_code == 200
    assert _state(linked_user)[0] == "basic"
    assert Event.objects.count() == 1 and StripeSubscription.objects.count() == 1


def test_it_keeps_staff_limit_overrides_through_stripe_syncs(post_event, linked_user):
    Subscription.objects.filter(user=linked_user).update(searches_limit_override=500)

    post_event(load_event("customer_subscription_created"))

    linked_user.refresh_from_db()
    assert (linked_user.searches_limit, linked_user.applications_limit) == (500, 20)


def test_it_ignores_the_end_of_an_old_subscription_while_a_newer_one_is_active(post_event, linked_user):
    post_event(load_event("customer_subscription_created"))
    Subscription.objects.filter(user=linked_user).update(stripe_subscription_id="sub_newer", last_event_at=None)

    post_event(load_event("customer_subscription_deleted"))  # the end of sub_1, the older one

    assert _state(linked_user)[0] == "basic"


def test_the_webhook_url_is_unknown_for_another_uuid(client, webhook_endpoint):
    response = client.post(
        "/stripe/webhook/00000000-0000-0000-0000-000000000000/",
        data="{}",
        content_type="application/json",
        headers={"Stripe-Signature": "t=1,v1=x"},
    )
    assert response.status_code == 404


def test_other_users_are_untouched_by_the_owners_events(post_event, linked_user):
    bystander = UserFactory()
    before = _state(bystander)
    post_event(load_event("customer_subscription_created"))
    post_event(load_event("invoice_paid"))
    assert _state(bystander) == before


def test_it_ignores_the_debug_secret_header_when_debug_is_off(client, webhook_endpoint, fake_stripe, settings):
    settings.DEBUG = False
    payload = json.dumps(load_event("customer_subscription_created"))
    headers = {
        "Stripe-Signature": stripe_signature(payload, "whsec_attacker"),
        "X-Djstripe-Webhook-Secret": "whsec_attacker",
    }
    assert _post_raw(client, webhook_endpoint, payload, headers).status_code == 400
    assert not Event.objects.exists()

    # What the header does where dj-stripe honours it (DEBUG, for the Stripe CLI): the same forged
    # request is accepted, so the 400 above is the DEBUG=False rule at work.
    fake_stripe.put(load_event("customer_subscription_created")["data"]["object"])
    settings.DEBUG = True
    assert _post_raw(client, webhook_endpoint, payload, headers).status_code == 200
    assert Event.objects.count() == 1


def test_it_logs_and_keeps_limits_for_a_price_in_no_plan(post_event, linked_user, caplog):
    event = load_event("customer_subscription_created")
    event["data"]["object"]["items"]["data"][0]["price"]["id"] = "price_from_another_product"

    with caplog.at_level("ERROR", logger="billing.services.subscriptions"):
        response = post_event(event)

    assert response.status_code == 200
    assert "price_from_another_product is in no plan" in caplog.text
    linked_user.refresh_from_db()
    assert (linked_user.subscription_tier, linked_user.searches_limit) == ("free", 5)
    assert Subscription.objects.get(user=linked_user).status == "ACTIVE"
