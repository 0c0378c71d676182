from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now

from accounts.models import SubscriptionStatus
from core.models import choices_check


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
    # Stripe does not deliver events in order: the `created` time of the newest event applied here
    # lets an older one that arrives late be ignored instead of rolling the subscription back.
    last_event_at = models.DateTimeField(
        null=True, blank=True, help_text="When Stripe created the newest event applied to this row."
    )
    # Staff overrides survive every Stripe sync; empty means "what the plan says".
    searches_limit_override = models.PositiveIntegerField(
        null=True, blank=True, help_text="Searches a period for this user whatever the plan; empty = the plan's."
    )
    applications_limit_override = models.PositiveIntegerField(
        null=True, blank=True, help_text="Applications a period for this user whatever the plan; empty = the plan's."
    )
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


class NoticeKind(models.TextChoices):
    SEARCHES_80 = "searches_80", "80% of searches used"
    APPLICATIONS_80 = "applications_80", "80% of applications used"
    PAYMENT_FAILED = "payment_failed", "Payment failed"


class BillingNotice(models.Model):
    """A billing e-mail already sent: the unique key makes "send once" hold even under concurrency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_notices")
    kind = models.CharField(max_length=30, choices=NoticeKind)
    # What the notice is about: the usage period's start for warnings, the invoice id for payments.
    key = models.CharField(max_length=255)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "billing_notices"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="billing_notices_once"),
            choices_check("kind", NoticeKind, "billing_notices_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user} ({self.key})"


class UsageKind(models.TextChoices):
    SEARCHES = "searches", "Search"
    APPLICATIONS = "applications", "Application"


class UsageRecord(models.Model):
    """One allowance taken (+1) or given back (-1): the ledger behind users.<kind>_used.

    Written by the same statement that changes the counter (billing.services.usage), so the two agree.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usage_records")
    kind = models.CharField(max_length=20, choices=UsageKind)
    delta = models.SmallIntegerField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "billing_usage_records"
        indexes = [models.Index(fields=["user", "created_at"], name="billing_usage_user_created")]
        constraints = [
            choices_check("kind", UsageKind, "billing_usage_records_kind_valid"),
            models.CheckConstraint(condition=models.Q(delta__in=[1, -1]), name="billing_usage_records_delta_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.delta:+d} {self.kind}"
