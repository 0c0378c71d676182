from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.models import User, UserSettings


class GrantFinderUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class GrantFinderUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = GrantFinderUserChangeForm
    add_form = GrantFinderUserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "company_name",
        "subscription_tier",
        "subscription_status",
        "searches_usage",
        "applications_usage",
        "last_login",
        "is_active",
    ]
    list_filter = ["subscription_tier", "subscription_status", "is_active", "is_staff"]
    search_fields = ["email", "full_name", "company_name", "auth0_id"]
    readonly_fields = ["auth0_id", "last_login", "date_joined", "updated_at"]
    actions = ["reset_usage"]
    fieldsets = [
        (None, {"fields": ["email", "password", "auth0_id"]}),
        ("Profile", {"fields": ["full_name", "company_name"]}),
        (
            "Plan and usage",
            {
                "fields": [
                    "subscription_tier",
                    "subscription_status",
                    ("searches_used", "searches_limit"),
                    ("applications_used", "applications_limit"),
                    ("usage_period_start", "usage_period_end"),
                    "monthly_ai_cost_cents",
                ]
            },
        ),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined", "updated_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    @admin.display(description="Searches", ordering="searches_used")
    def searches_usage(self, obj: User) -> str:
        return f"{obj.searches_used}/{obj.searches_limit}"

    @admin.display(description="Applications", ordering="applications_used")
    def applications_usage(self, obj: User) -> str:
        return f"{obj.applications_used}/{obj.applications_limit}"

    @admin.action(description="Reset this month's usage")
    def reset_usage(self, request, queryset):
        count = queryset.update(searches_used=0, applications_used=0)
        self.message_user(request, f"Usage reset for {count} user(s).", messages.SUCCESS)


@admin.register(UserSettings)
class UserSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "schedule_frequency", "minimum_score", "email_notifications", "deadline_reminders"]
    list_filter = ["schedule_frequency", "email_notifications", "deadline_reminders"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["saved_grants_list"]

    @admin.display(description="Saved grants")
    def saved_grants_list(self, obj: UserSettings) -> str:
        # The reverse accessor, not an import: grants builds on accounts, never the other way.
        saves = obj.saved_grants.select_related("grant").order_by("-saved_at")[:50]
        return ", ".join(f"#{save.grant_id} {save.grant.title}" for save in saves) or "None"
