"""Billing's writes, one module per subject; import them from here.

``usage``: the allowance meter (consume, refund, usage periods). ``subscriptions``: Stripe
checkout/portal sessions and Stripe state turned into local rows.
"""

from billing.services.subscriptions import (
    checkout_session_start,
    invoice_paid_apply,
    invoice_payment_failed_apply,
    portal_session_start,
    subscription_apply_checkout,
    subscription_apply_stripe_state,
    subscription_limits_override,
)
from billing.services.usage import (
    Consumed,
    calendar_month,
    usage_consume_application,
    usage_consume_search,
    usage_refund_application,
    usage_refund_search,
    usage_reset_expired,
)

__all__ = [
    "Consumed",
    "calendar_month",
    "checkout_session_start",
    "invoice_paid_apply",
    "invoice_payment_failed_apply",
    "portal_session_start",
    "subscription_apply_checkout",
    "subscription_apply_stripe_state",
    "subscription_limits_override",
    "usage_consume_application",
    "usage_consume_search",
    "usage_refund_application",
    "usage_refund_search",
    "usage_reset_expired",
]
