from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import SubscriptionStatus, choices_check


class Subscription(models.Model):
    """The local view of a user's Stripe subscription: plan, period and remaining allowances."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription")
    stripe_customer_id = models.CharField(max_length=255, null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, null=True, blank=True)
    plan_name = models.CharField(max_length=50, default="free")
    amount = models.PositiveIntegerField(default=0, help_text="Price per period in the currency's minor unit.")
    currency = models.CharField(max_length=3, default="usd")
    status = models.CharField(max_length=20, choices=SubscriptionStatus, default=SubscriptionStatus.ACTIVE)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    searches_remaining = models.IntegerField(default=0)
    applications_remaining = models.IntegerField(default=0)
    auto_renew = models.BooleanField(default=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "subscriptions"
        constraints = [
            models.UniqueConstraint(fields=["stripe_customer_id"], name="ix_subscriptions_stripe_customer_id"),
            models.UniqueConstraint(fields=["stripe_subscription_id"], name="ix_subscriptions_stripe_subscription_id"),
            choices_check("status", SubscriptionStatus, "subscriptions_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.plan_name} ({self.status})"
