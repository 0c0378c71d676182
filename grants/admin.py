from django.contrib import admin
from django.utils.text import Truncator

from grants.models import Analysis, CatalogSync, Grant, Opportunity, SavedGrant, SavedSearch, SearchRun


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "overall_composite_score", "deadline", "source_name", "record_status"]
    list_filter = ["record_status", "source_name", "identified_sector"]
    search_fields = ["title", "user__email", "external_id"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "deadline"
    show_full_result_count = False  # counting a million rows on every page is wasted work


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ["id", "grant", "final_score", "analysis_date"]
    list_select_related = ["grant"]
    raw_id_fields = ["grant"]
    show_full_result_count = False


@admin.register(SearchRun)
class SearchRunAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "run_type", "status", "grants_found", "high_priority", "timestamp"]
    list_filter = ["status", "run_type"]
    search_fields = ["user__email", "search_query"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    show_full_result_count = False


# SavedGrant has the legacy composite primary key, which the admin cannot register; staff see
# saved grants on the user settings page instead (accounts.admin.UserSettingsAdmin).


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "external_id", "status", "close_date", "agency_code", "updated_at"]
    list_filter = ["source", "status", "is_forecast", "is_rolling"]
    search_fields = ["title", "external_id", "number", "agency_code"]
    readonly_fields = ["first_seen_at", "updated_at", "content_hash", "changed_fields"]
    exclude = ["search"]
    show_full_result_count = False


@admin.register(CatalogSync)
class CatalogSyncAdmin(admin.ModelAdmin):
    """The sync history: every pass over a source, newest first, with what it changed and why it fell short."""

    list_display = [
        "started_at",
        "source",
        "status",
        "new",
        "updated",
        "unchanged",
        "closed",
        "failed",
        "api_calls",
        "duration",
        "problem",
    ]
    list_filter = ["source", "status"]
    date_hierarchy = "started_at"
    ordering = ["-started_at"]
    search_fields = ["error_message"]
    readonly_fields = [field.name for field in CatalogSync._meta.fields]

    @admin.display(description="took")
    def duration(self, sync: CatalogSync) -> str:
        if not sync.finished_at:
            return "running"
        seconds = int((sync.finished_at - sync.started_at).total_seconds())
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"

    @admin.display(description="what went wrong")
    def problem(self, sync: CatalogSync) -> str:
        return Truncator(sync.error_message).chars(120)

    # History is written by the syncs only.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "alerts_enabled", "created_at"]
    list_filter = ["alerts_enabled"]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["unsubscribe_token"]


def saved_grants_admin_summary(user_settings) -> str:
    """The grants a user saved, on their settings' admin page (``accounts.admin.admin_details``)."""
    saves = SavedGrant.objects.filter(user_settings=user_settings).select_related("grant").order_by("-saved_at")[:50]
    return ", ".join(f"#{save.grant_id} {save.grant.title}" for save in saves) or "None"
