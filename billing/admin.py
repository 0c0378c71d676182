from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from billing.models import BillingNotice, Subscription
from billing.services.subscriptions import subscription_limits_override


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "plan_name",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "limits",
        "has_override",
    ]
    list_filter = ["plan_name", "status", "cancel_at_period_end"]
    search_fields = ["user__email", "stripe_customer_id", "stripe_subscription_id"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = [
        "stripe_customer_id",
        "stripe_subscription_id",
        "plan_name",
        "amount",
        "currency",
        "status",
        "current_period_start",
        "current_period_end",
        "searches_remaining",
        "applications_remaining",
        "auto_renew",
        "cancel_at_period_end",
        "canceled_at",
        "last_event_at",
        "limits",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["user", "plan_name", "status", "limits"]}),
        (
            "Staff override of the plan's limits (kept through every Stripe sync; empty = the plan's)",
            {"fields": ["searches_limit_override", "applications_limit_override"]},
        ),
        (
            "From Stripe (read-only: Stripe's webhooks keep these)",
            {
                "fields": [
                    "stripe_customer_id",
                    "stripe_subscription_id",
                    ("amount", "currency"),
                    ("current_period_start", "current_period_end"),
                    ("searches_remaining", "applications_remaining"),
                    ("auto_renew", "cancel_at_period_end", "canceled_at"),
                    "last_event_at",
                ]
            },
        ),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The user is chosen once, when staff create a row to override a free user's limits.
        return [*self.readonly_fields, "user"] if obj else self.readonly_fields

    @admin.display(description="User's limits (searches / applications)")
    def limits(self, obj: Subscription) -> str:
        if not obj.user_id:
            return "-"
        return f"{obj.user.searches_limit} / {obj.user.applications_limit}"

    @admin.display(description="Override", boolean=True)
    def has_override(self, obj: Subscription) -> bool:
        return obj.searches_limit_override is not None or obj.applications_limit_override is not None

    def save_model(self, request, obj, form, change):
        # Only the overrides are editable: the service saves them and recomputes the user's limits,
        # locking the user row before the subscription row like every other writer.
        if not change:
            super().save_model(request, obj, form, change)
        subscription_limits_override(
            subscription=obj,
            searches_limit=obj.searches_limit_override,
            applications_limit=obj.applications_limit_override,
        )


@admin.register(BillingNotice)
class BillingNoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "key", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "key"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "kind", "key", "sent_at"]

    def has_add_permission(self, request):
        return False


def subscription_admin_summary(user) -> str:
    """The user's subscription on their admin page (``accounts.admin.admin_details``).

    Limit overrides that survive Stripe syncs are set on the subscription's own page.
    """
    subscription = Subscription.objects.filter(user=user).first()
    if subscription is None:
        url = reverse("admin:billing_subscription_add") + f"?user={user.pk}"
        return format_html('None (free plan). <a href="{}">Add one to override limits</a>', url)
    url = reverse("admin:billing_subscription_change", args=[subscription.pk])
    period_end = f", period ends {subscription.current_period_end:%Y-%m-%d}" if subscription.current_period_end else ""
    return format_html(
        '<a href="{}">{} ({}{})</a>', url, subscription.plan_name, subscription.get_status_display(), period_end
    )
