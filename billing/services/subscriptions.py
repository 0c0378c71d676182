"""Billing's Stripe side: checkout and portal sessions, and turning Stripe state into local rows.

The webhook receivers (billing.webhooks) call these; the allowance counters live in
``billing.services.usage``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from djstripe.models import Customer as StripeCustomer

from accounts.models import SubscriptionStatus, User
from billing import emails, stripe_client
from billing.exceptions import BillingError
from billing.models import BillingNotice, NoticeKind, Subscription
from billing.selectors import Plan, plan_for_stripe_price, plan_free, plan_get
from billing.services.usage import remaining_copy

logger = logging.getLogger(__name__)

# --- Checkout and portal ------------------------------------------------------------------------


def checkout_session_start(*, user: User, plan_key: str, success_url: str, cancel_url: str) -> str:
    """Create a Stripe Checkout session for ``plan_key`` on the user's Stripe customer; return its URL.

    Raises BillingNotConfigured without keys, BillingError when the plan cannot be bought or
    Stripe fails. Nothing changes locally until Stripe's webhook confirms the subscription.
    """
    plan = plan_get(key=plan_key)
    if plan is None or not plan.can_be_bought:
        raise BillingError("That plan cannot be bought.")
    customer = stripe_client.customer_get_or_create(user=user)
    _link_customer(user=user, customer_id=customer.id)
    return stripe_client.checkout_session_create(
        customer_id=customer.id,
        price_id=plan.stripe_price_id,
        user_id=user.pk,
        plan_key=plan.key,
        success_url=success_url,
        cancel_url=cancel_url,
    )


def portal_session_start(*, user: User, return_url: str) -> str:
    """Open the Stripe billing portal for the user's customer; return its URL."""
    subscription = Subscription.objects.filter(user=user).first()
    customer_id = subscription.stripe_customer_id if subscription else None
    if not customer_id:
        customer = StripeCustomer.objects.filter(subscriber=user).first()
        customer_id = customer.id if customer else None
    if not customer_id:
        raise BillingError("You have no billing account yet: choose a paid plan first.")
    return stripe_client.portal_session_create(customer_id=customer_id, return_url=return_url)


def _link_customer(*, user: User, customer_id: str) -> None:
    subscription, _ = Subscription.objects.get_or_create(user=user)
    if subscription.stripe_customer_id != customer_id:
        subscription.stripe_customer_id = customer_id
        subscription.save(update_fields=["stripe_customer_id", "updated_at"])


# --- Stripe state -> local Subscription and user limits -----------------------------------------

# Stripe's subscription statuses; "paused" has no local equivalent and, like "unpaid", gives no service.
_STRIPE_STATUS = {
    "active": SubscriptionStatus.ACTIVE,
    "trialing": SubscriptionStatus.TRIALING,
    "past_due": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELED,
    "incomplete": SubscriptionStatus.INCOMPLETE,
    "incomplete_expired": SubscriptionStatus.INCOMPLETE_EXPIRED,
    "unpaid": SubscriptionStatus.UNPAID,
    "paused": SubscriptionStatus.UNPAID,
}
# Statuses that keep the paid plan's allowances (past_due: Stripe is still retrying the payment).
_ENTITLED = {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE}


def _stripe_id(value) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def _timestamp(value) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC) if value else None


def _user_for_stripe(*, customer_id: str | None, metadata: dict | None = None) -> User | None:
    """Whose Stripe object this is: our subscription row, then dj-stripe's customer, then our metadata."""
    if customer_id:
        local = Subscription.objects.filter(stripe_customer_id=customer_id).select_related("user").first()
        if local:
            return local.user
        customer = StripeCustomer.objects.filter(id=customer_id).select_related("subscriber").first()
        if customer and customer.subscriber:
            return customer.subscriber
    user_id = (metadata or {}).get("user_id")
    if user_id and str(user_id).isdigit():
        return User.objects.filter(pk=int(user_id)).first()
    return None


def _apply_limits(*, user: User, subscription: Subscription, plan: Plan) -> None:
    """Set the user's tier and limits from the plan (or staff overrides) and the remaining counts."""
    user.subscription_tier = plan.key
    user.searches_limit = (
        subscription.searches_limit_override if subscription.searches_limit_override is not None else plan.searches
    )
    user.applications_limit = (
        subscription.applications_limit_override
        if subscription.applications_limit_override is not None
        else plan.applications
    )
    remaining_copy(user=user, subscription=subscription)


def _lock(user: User) -> tuple[User, Subscription]:
    """Lock the user row, then its subscription row: the same order as the usage UPDATE."""
    user = User.objects.select_for_update().get(pk=user.pk)
    subscription, _ = Subscription.objects.get_or_create(user=user)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    return user, subscription


def subscription_apply_stripe_state(
    *, data: dict, event_created: dt.datetime, current: bool = False
) -> Subscription | None:
    """Turn a Stripe subscription object into the local Subscription row and the user's limits.

    ``event_created`` is when Stripe created the event carrying ``data``. An event older than
    the last one applied changes nothing, so late deliveries never roll the subscription back.
    ``current`` says ``data`` was just retrieved from Stripe (not carried by the event): it is
    Stripe's state now, so it applies whatever the event's age.
    Returns the local row, or None when the subscription belongs to no user we know.
    """
    subscription_id = data["id"]
    customer_id = _stripe_id(data.get("customer"))
    user = _user_for_stripe(customer_id=customer_id, metadata=data.get("metadata"))
    if user is None:
        logger.warning("Stripe subscription %s belongs to no known user; ignored.", subscription_id)
        return None
    status = _STRIPE_STATUS.get(data.get("status", ""), SubscriptionStatus.UNPAID)
    items = (data.get("items") or {}).get("data") or [{}]
    price = items[0].get("price") or {}
    with transaction.atomic():
        user, local = _lock(user)
        if not current and local.last_event_at and event_created < local.last_event_at:
            logger.info("Stripe event of %s for %s is older than the last applied; ignored.", event_created, user)
            return local
        if (
            local.stripe_subscription_id not in (None, subscription_id)
            and local.status in _ENTITLED
            and status not in _ENTITLED
        ):
            # The end of an older subscription must not downgrade the user's current one.
            logger.info("Stripe subscription %s ended; %s stays on %s.", subscription_id, user, local.plan_name)
            return local
        entitled = status in _ENTITLED
        plan = plan_for_stripe_price(price_id=_stripe_id(price))
        if entitled and plan is None:
            logger.error("Stripe price %s is in no plan of settings.PLANS; limits unchanged.", _stripe_id(price))
            plan = plan_get(key=local.plan_name) or plan_free()
        effective = plan if entitled and plan is not None else plan_free()
        local.stripe_customer_id = customer_id or local.stripe_customer_id
        local.stripe_subscription_id = subscription_id
        local.plan_name = effective.key
        local.amount = (price.get("unit_amount") or 0) if entitled else 0
        local.currency = price.get("currency") or local.currency
        local.status = status
        # API versions from 2025 on carry the period on the item, older ones on the subscription.
        local.current_period_start = _timestamp(
            data.get("current_period_start") or items[0].get("current_period_start")
        )
        local.current_period_end = _timestamp(data.get("current_period_end") or items[0].get("current_period_end"))
        local.cancel_at_period_end = bool(data.get("cancel_at_period_end"))
        local.auto_renew = entitled and not local.cancel_at_period_end
        local.canceled_at = _timestamp(data.get("canceled_at") or data.get("ended_at"))
        local.last_event_at = max(event_created, local.last_event_at) if local.last_event_at else event_created
        user.subscription_status = status
        _apply_limits(user=user, subscription=local, plan=effective)
        user.save(update_fields=["subscription_tier", "subscription_status", "searches_limit", "applications_limit"])
        local.save()
    return local


def subscription_apply_checkout(*, session: dict, event_created: dt.datetime, subscription: dict | None) -> None:
    """A completed Checkout: link the Stripe customer to the user, then apply the new subscription.

    ``subscription`` is Stripe's current state of it, retrieved when the event was handled.
    """
    customer_id = _stripe_id(session.get("customer"))
    reference = str(session.get("client_reference_id") or "")
    user = User.objects.filter(pk=int(reference)).first() if reference.isdigit() else None
    owner = _user_for_stripe(customer_id=customer_id)
    if user is None or (owner is not None and owner.pk != user.pk):
        logger.warning(
            "Checkout %s: customer %s does not match user %s; ignored.", session.get("id"), customer_id, reference
        )
        return
    if customer_id:
        _link_customer(user=user, customer_id=customer_id)
        StripeCustomer.objects.filter(id=customer_id, subscriber__isnull=True).update(subscriber=user)
    if subscription is not None:
        subscription_apply_stripe_state(data=subscription, event_created=event_created, current=True)


def _invoice_subscription_id(invoice: dict) -> str | None:
    # API versions from 2025 on name the subscription under parent.subscription_details.
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return _stripe_id(invoice.get("subscription")) or _stripe_id(details.get("subscription"))


def invoice_paid_apply(*, invoice: dict) -> None:
    """A paid subscription invoice starts the usage period it pays for (used counts back to 0).

    Idempotent: the same invoice, or an older one arriving late, does not reset usage again.
    """
    if not _invoice_subscription_id(invoice):
        return
    user = _user_for_stripe(customer_id=_stripe_id(invoice.get("customer")))
    lines = (invoice.get("lines") or {}).get("data") or []
    period = (lines[0].get("period") if lines else None) or {}
    start = _timestamp(period.get("start") or invoice.get("period_start"))
    end = _timestamp(period.get("end") or invoice.get("period_end"))
    if user is None or start is None:
        logger.warning("Paid invoice %s matches no user or period; ignored.", invoice.get("id"))
        return
    with transaction.atomic():
        user, local = _lock(user)
        if user.usage_period_start and start < user.usage_period_start:
            return  # an older period's invoice
        if user.usage_period_start != start:
            user.searches_used = 0
            user.applications_used = 0
            user.usage_period_start, user.usage_period_end = start, end
            if local.stripe_subscription_id in (None, _invoice_subscription_id(invoice)):
                local.current_period_start, local.current_period_end = start, end
        if user.subscription_status == SubscriptionStatus.PAST_DUE:
            user.subscription_status = local.status = SubscriptionStatus.ACTIVE
        remaining_copy(user=user, subscription=local)
        user.save(
            update_fields=[
                "searches_used",
                "applications_used",
                "usage_period_start",
                "usage_period_end",
                "subscription_status",
            ]
        )
        local.save()


def invoice_payment_failed_apply(*, invoice: dict) -> None:
    """A failed subscription payment: the account is past due, and the user gets one e-mail per invoice."""
    if not _invoice_subscription_id(invoice) or invoice.get("status") == "paid":
        return  # not a subscription invoice, or paid since (this event arrived late)
    user = _user_for_stripe(customer_id=_stripe_id(invoice.get("customer")))
    if user is None:
        logger.warning("Failed invoice %s matches no user; ignored.", invoice.get("id"))
        return
    with transaction.atomic():
        user, local = _lock(user)
        if local.status not in _ENTITLED:
            return  # already canceled or unpaid: nothing left to be past due on
        user.subscription_status = local.status = SubscriptionStatus.PAST_DUE
        user.save(update_fields=["subscription_status"])
        local.save(update_fields=["status", "updated_at"])
        _notice, created = BillingNotice.objects.get_or_create(
            user=user, kind=NoticeKind.PAYMENT_FAILED, key=invoice.get("id") or "unknown"
        )
        if created:
            plan = plan_get(key=local.plan_name) or plan_free()
            amount = invoice.get("amount_due") or 0
            currency = invoice.get("currency") or local.currency
            transaction.on_commit(
                lambda: emails.send_payment_failed(user=user, plan_name=plan.name, amount_due=amount, currency=currency)
            )


def subscription_limits_override(
    *, subscription: Subscription, searches_limit: int | None, applications_limit: int | None
) -> Subscription:
    """Staff set (or clear, with None) a user's own limits; Stripe syncs keep them from then on."""
    with transaction.atomic():
        user, local = _lock(subscription.user)
        local.searches_limit_override = searches_limit
        local.applications_limit_override = applications_limit
        plan = plan_get(key=user.subscription_tier) or plan_free()
        _apply_limits(user=user, subscription=local, plan=plan)
        user.save(update_fields=["searches_limit", "applications_limit"])
        local.save()
    return local
