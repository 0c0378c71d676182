from django.contrib import admin

from billing.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "plan_name", "status", "current_period_end", "cancel_at_period_end"]
    list_filter = ["plan_name", "status", "cancel_at_period_end"]
    search_fields = ["user__email", "stripe_customer_id", "stripe_subscription_id"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["stripe_customer_id", "stripe_subscription_id", "created_at", "updated_at"]
