from django.contrib import admin

from profiles.models import BusinessProfile


@admin.register(BusinessProfile)
class BusinessProfileAdmin(admin.ModelAdmin):
    list_display = ["business_name", "user", "organization_type", "geographic_focus", "updated_at"]
    list_filter = ["organization_type"]
    search_fields = ["business_name", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
