"""Reads shared across billing, pages and other apps: plans, configuration and a user's usage."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from accounts.models import SubscriptionTier
from billing.models import Subscription

FREE_PLAN = SubscriptionTier.FREE.value


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    price_cents: int
    currency: str
    searches: int
    applications: int
    stripe_price_id: str

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    @property
    def price_display(self) -> str:
        return "Free" if self.is_free else f"${self.price_cents / 100:,.0f}/month"

    @property
    def can_be_bought(self) -> bool:
        return not self.is_free and bool(self.stripe_price_id)


def plan_list() -> list[Plan]:
    """Every plan in settings.PLANS, cheapest first."""
    plans = [Plan(key=key, **values) for key, values in settings.PLANS.items()]
    return sorted(plans, key=lambda plan: plan.price_cents)


def plan_get(*, key: str) -> Plan | None:
    return next((plan for plan in plan_list() if plan.key == key), None)


def plan_free() -> Plan:
    plan = plan_get(key=FREE_PLAN)
    if plan is None:
        raise LookupError("settings.PLANS has no 'free' plan; the product needs one to fall back to.")
    return plan


def plan_for_stripe_price(*, price_id: str | None) -> Plan | None:
    if not price_id:
        return None
    return next((plan for plan in plan_list() if plan.stripe_price_id == price_id), None)


def billing_is_configured() -> bool:
    """Stripe keys are set: paid plans can be bought. Without them everyone stays on the free plan."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


@dataclass(frozen=True)
class Allowance:
    used: int
    limit: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def percent(self) -> int:
        return 100 if self.limit == 0 else min(100, round(100 * self.used / self.limit))


def usage_for_user(*, user) -> dict[str, Allowance]:
    return {
        "searches": Allowance(used=user.searches_used, limit=user.searches_limit),
        "applications": Allowance(used=user.applications_used, limit=user.applications_limit),
    }


def subscription_for_user(*, user) -> Subscription | None:
    """The user's own subscription row, if any."""
    return Subscription.objects.filter(user=user).first()
