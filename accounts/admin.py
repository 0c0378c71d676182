from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpResponse
from django.utils import timezone

from accounts import selectors, services
from accounts.admin_details import admin_details
from accounts.models import AuditAction, AuditEntry, User, UserSettings


class GrantFinderUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class GrantFinderUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class AccountStateFilter(admin.SimpleListFilter):
    """Accounts their owners deleted are out of the list unless asked for: they are on their way out."""

    title = "account"
    parameter_name = "account"

    def lookups(self, request, model_admin):
        return [("deleted", "Deleted, awaiting purge"), ("all", "All, including deleted")]

    def queryset(self, request, queryset):
        if self.value() == "deleted":
            return selectors.users_deleted(queryset)
        if self.value() == "all":
            return queryset
        return selectors.users_open(queryset)

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "All":
                choice["display"] = "Open accounts"
            yield choice


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
    list_filter = [AccountStateFilter, "subscription_tier", "subscription_status", "is_active", "is_staff"]
    search_fields = ["email", "full_name", "company_name", "auth0_id"]
    readonly_fields = ["auth0_id", "last_login", "date_joined", "updated_at", "deactivated_at", "linked_details"]
    actions = ["reset_usage", "deactivate", "reactivate", "export_data"]
    fieldsets = [
        (None, {"fields": ["email", "password", "auth0_id"]}),
        ("Profile", {"fields": ["full_name", "company_name"]}),
        (
            "Plan and usage",
            {
                "fields": [
                    "linked_details",
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
        ("Dates", {"fields": ["last_login", "date_joined", "updated_at", "deactivated_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    @admin.display(description="Searches", ordering="searches_used")
    def searches_usage(self, obj: User) -> str:
        return f"{obj.searches_used}/{obj.searches_limit}"

    @admin.display(description="Applications", ordering="applications_used")
    def applications_usage(self, obj: User) -> str:
        return f"{obj.applications_used}/{obj.applications_limit}"

    @admin.display(description="Elsewhere")
    def linked_details(self, obj: User) -> str:
        return admin_details.render(obj)  # billing: the subscription

    def _audit_each(self, request, queryset, action: str, detail: str) -> None:
        for user in queryset:
            services.audit_record(
                request=request,
                action=action,
                target_user=user,
                object_type=User._meta.label_lower,
                object_id=str(user.pk),
                object_repr=str(user),
                detail=detail,
            )

    @admin.action(description="Reset this month's usage")
    def reset_usage(self, request, queryset):
        self._audit_each(request, queryset, AuditAction.ACTION, "reset usage")
        count = services.users_usage_reset(users=queryset)
        self.message_user(request, f"Usage reset for {count} user(s).", messages.SUCCESS)

    @admin.action(description="Deactivate (cannot sign in; data kept)")
    def deactivate(self, request, queryset):
        queryset = queryset.exclude(pk=request.user.pk)
        self._audit_each(request, queryset, AuditAction.ACTION, "deactivate")
        count = services.users_deactivate(users=queryset)
        self.message_user(request, f"{count} user(s) deactivated and signed out.", messages.SUCCESS)

    @admin.action(description="Reactivate (also cancels a pending deletion)")
    def reactivate(self, request, queryset):
        self._audit_each(request, queryset, AuditAction.ACTION, "reactivate")
        count = services.users_reactivate(users=queryset)
        self.message_user(request, f"{count} user(s) reactivated.", messages.SUCCESS)

    @admin.action(description="Export data (one user, as a zip)")
    def export_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one user to export.", messages.ERROR)
            return None
        user = queryset.get()
        self._audit_each(request, queryset, AuditAction.EXPORT, "export data")
        response = HttpResponse(services.account_export(user=user), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="grantfinder-user-{user.pk}-{timezone.now():%Y%m%d}.zip"'
        )
        return response

    def delete_model(self, request, obj):
        # The same erasure as the purge: every owned row and file, the audit trail anonymised.
        services.account_purge(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.account_purge(user=user)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: an audit trail staff could edit would prove nothing."""

    list_display = ["at", "actor_email", "action", "target_user_email", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_email", "target_user_email", "object_id", "object_repr"]
    date_hierarchy = "at"
    list_select_related = ["actor", "target_user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UserSettings)
class UserSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "schedule_frequency", "minimum_score", "email_notifications", "deadline_reminders"]
    list_filter = ["schedule_frequency", "email_notifications", "deadline_reminders"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["linked_details"]

    @admin.display(description="Elsewhere")
    def linked_details(self, obj: UserSettings) -> str:
        return admin_details.render(obj)  # grants: the saved grants
