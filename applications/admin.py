from django.contrib import admin

from applications.models import ApplicationHistory, GeneratedApplication


@admin.register(ApplicationHistory)
class ApplicationHistoryAdmin(admin.ModelAdmin):
    list_display = ["id", "grant", "user", "user_id_old", "status", "application_date", "award_amount"]
    list_filter = ["status", "is_successful_outcome"]
    search_fields = ["user__email", "user_id_old"]
    list_select_related = ["grant", "user"]
    raw_id_fields = ["grant", "user"]
    show_full_result_count = False


@admin.register(GeneratedApplication)
class GeneratedApplicationAdmin(admin.ModelAdmin):
    list_display = ["id", "grant", "user", "status", "model_used", "tokens_used", "created_at"]
    list_filter = ["status", "model_used"]
    search_fields = ["user__email", "grant__title"]
    list_select_related = ["grant", "user"]
    raw_id_fields = ["grant", "user"]
