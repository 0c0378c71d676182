from django.contrib import admin

from funders.models import Funder, FunderApproach, FunderGrant, FunderReturn, FunderSync, SavedFunder


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "ein", "city", "state", "tax_year", "total_grants_paid", "preselected_only"]
    list_filter = ["preselected_only", "tax_year"]
    search_fields = ["name", "=ein"]
    show_full_result_count = False  # 100,000+ foundations


@admin.register(FunderReturn)
class FunderReturnAdmin(admin.ModelAdmin):
    list_display = ["object_id", "funder", "tax_year", "filed_at", "amended", "total_grants_paid"]
    list_select_related = ["funder"]
    raw_id_fields = ["funder"]
    search_fields = ["=object_id", "=funder__ein"]
    show_full_result_count = False


@admin.register(FunderGrant)
class FunderGrantAdmin(admin.ModelAdmin):
    list_display = ["recipient_name", "funder", "tax_year", "recipient_state", "amount", "purpose"]
    list_select_related = ["funder"]
    raw_id_fields = ["funder", "filing"]
    search_fields = ["=funder__ein"]
    show_full_result_count = False  # millions of rows


@admin.register(FunderSync)
class FunderSyncAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "status", "started_at", "new", "replaced", "unchanged", "older", "failed"]
    readonly_fields = [f.name for f in FunderSync._meta.fields]


@admin.register(SavedFunder)
class SavedFunderAdmin(admin.ModelAdmin):
    list_display = ["funder", "user", "saved_at"]
    list_select_related = ["funder", "user"]
    raw_id_fields = ["user", "funder", "last_seen_return"]


@admin.register(FunderApproach)
class FunderApproachAdmin(admin.ModelAdmin):
    list_display = ["funder", "user", "stage", "happened_on"]
    list_select_related = ["funder", "user"]
    raw_id_fields = ["user", "funder"]
