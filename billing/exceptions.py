from __future__ import annotations

from django.urls import reverse


class UsageLimitReached(Exception):
    """The user's allowance of searches or applications for this period is spent.

    Pages render it as a 402 page with the upgrade link (billing.middleware); the JSON API
    answers HTTP 402 with ``{"detail": ..., "code": "usage_limit_reached", "upgrade_url": ...}``.
    """

    def __init__(self, *, kind: str, limit: int):
        self.kind = kind  # "searches" or "applications"
        self.limit = limit
        what = f"the 1 {kind[:-1] if kind == 'applications' else 'search'}" if limit == 1 else f"all {limit} {kind}"
        super().__init__(f"You have used {what} your plan includes for this period. Upgrade your plan to continue.")

    @property
    def upgrade_url(self) -> str:
        return reverse("billing:plans")


class BillingNotConfigured(Exception):
    """Stripe keys are missing, so nothing can be bought; the product runs on the free plan."""


class BillingError(Exception):
    """Stripe could not do what we asked; the message is safe to show to the user."""
