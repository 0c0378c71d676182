"""Thin receivers for dj-stripe's webhook signals: read the synced object, call billing.services.subscriptions.

dj-stripe has already verified the signature, de-duplicated the event id and synced (re-fetched)
the object into its tables by the time these run, inside the same transaction as the Event row:
if a receiver raises, the whole event rolls back and Stripe's redelivery retries it.
"""

from __future__ import annotations

from djstripe.models import Event, Invoice, Session
from djstripe.models import Subscription as StripeSubscription
from djstripe.signals import WEBHOOK_SIGNALS

from billing import stripe_client
from billing.services import subscriptions as services


def _synced(model, event: Event) -> dict:
    """The object as dj-stripe stored it (Stripe's current state), else the event's own copy."""
    payload = event.data["object"]
    row = model.objects.filter(id=payload["id"]).first()
    return row.stripe_data if row is not None and row.stripe_data else payload


def on_subscription_event(sender, event: Event, **kwargs) -> None:
    services.subscription_apply_stripe_state(data=_synced(StripeSubscription, event), event_created=event.created)


def on_checkout_completed(sender, event: Event, **kwargs) -> None:
    """Link the customer, then apply the subscription as Stripe has it now (retrieved, synced by dj-stripe).

    A local row may already exist from an earlier ``customer.subscription.created`` (typically
    ``incomplete`` until the first payment): it is stale by the time Checkout completes, so it is
    never read here. If Stripe cannot be reached, the receiver raises: the event rolls back and
    Stripe's redelivery tries again.
    """
    session = _synced(Session, event)
    subscription_id = session.get("subscription")
    subscription_id = subscription_id.get("id") if isinstance(subscription_id, dict) else subscription_id
    subscription = None
    if subscription_id:
        subscription = stripe_client.subscription_sync(
            subscription_id=subscription_id, api_key=event.default_api_key
        ).stripe_data
    services.subscription_apply_checkout(session=session, event_created=event.created, subscription=subscription)


def on_invoice_paid(sender, event: Event, **kwargs) -> None:
    services.invoice_paid_apply(invoice=_synced(Invoice, event))


def on_invoice_payment_failed(sender, event: Event, **kwargs) -> None:
    services.invoice_payment_failed_apply(invoice=_synced(Invoice, event))


RECEIVERS = {
    "checkout.session.completed": on_checkout_completed,
    "customer.subscription.created": on_subscription_event,
    "customer.subscription.updated": on_subscription_event,
    "customer.subscription.deleted": on_subscription_event,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
}


def connect() -> None:
    # dj-stripe connects its syncing receivers when djstripe.event_handlers is imported; import it
    # first so they run before ours (receivers run in connection order; billing is listed before
    # djstripe in INSTALLED_APPS, so our ready() would otherwise come first).
    import djstripe.event_handlers  # noqa: F401

    for event_type, receiver in RECEIVERS.items():
        WEBHOOK_SIGNALS[event_type].connect(receiver, sender=Event, dispatch_uid=f"billing:{event_type}")
