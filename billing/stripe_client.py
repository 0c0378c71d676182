"""The only module that talks to Stripe (directly or through dj-stripe's API calls).

Tests point ``stripe.api_base`` at a fake Stripe on 127.0.0.1; production leaves it alone unless
``STRIPE_API_BASE`` is set. Every Stripe failure leaves here as ``BillingError``.
"""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from djstripe.models import Customer
from djstripe.models import Subscription as StripeSubscription

from billing.exceptions import BillingError, BillingNotConfigured
from billing.selectors import billing_is_configured

logger = logging.getLogger(__name__)


def configure() -> None:
    """Called once at start-up (BillingConfig.ready)."""
    if settings.STRIPE_API_BASE:
        stripe.api_base = settings.STRIPE_API_BASE


def _api_key() -> str:
    if not billing_is_configured():
        raise BillingNotConfigured("Billing is not configured: STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY are unset.")
    return settings.STRIPE_SECRET_KEY


def customer_get_or_create(*, user) -> Customer:
    """dj-stripe's Customer for the user, created in Stripe on first use."""
    try:
        customer, _created = Customer.get_or_create(
            subscriber=user, livemode=settings.STRIPE_LIVE_MODE, api_key=_api_key()
        )
    except stripe.StripeError as exc:
        logger.warning("Stripe customer for user %s failed: %s", user.pk, exc)
        raise BillingError("We could not reach our payment provider. Please try again in a minute.") from exc
    return customer


def checkout_session_create(
    *, customer_id: str, price_id: str, user_id: int, plan_key: str, success_url: str, cancel_url: str
) -> str:
    """A Stripe Checkout session for a monthly subscription; returns the URL to send the user to."""
    metadata = {"user_id": str(user_id), "plan": plan_key}
    try:
        session = stripe.checkout.Session.create(
            api_key=_api_key(),
            mode="subscription",
            customer=customer_id,
            client_reference_id=str(user_id),
            line_items=[{"price": price_id, "quantity": 1}],
            success_url=success_url,
            cancel_url=cancel_url,
            metadata=metadata,
            subscription_data={"metadata": metadata},
        )
    except stripe.StripeError as exc:
        logger.warning("Stripe checkout session for user %s failed: %s", user_id, exc)
        raise BillingError("We could not start the checkout. Please try again in a minute.") from exc
    return session["url"]


def portal_session_create(*, customer_id: str, return_url: str) -> str:
    """A Stripe billing portal session; returns its URL."""
    try:
        session = stripe.billing_portal.Session.create(api_key=_api_key(), customer=customer_id, return_url=return_url)
    except stripe.StripeError as exc:
        logger.warning("Stripe portal session for %s failed: %s", customer_id, exc)
        raise BillingError("We could not open the billing portal. Please try again in a minute.") from exc
    return session["url"]


def subscription_sync(*, subscription_id: str, api_key: str | None = None) -> StripeSubscription:
    """Retrieve a subscription's current state from Stripe and sync it into dj-stripe's tables."""
    data = stripe.Subscription.retrieve(subscription_id, api_key=api_key or _api_key())
    return StripeSubscription.sync_from_stripe_data(data, api_key=api_key or _api_key())
