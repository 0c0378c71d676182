from django.contrib import admin

from profiles.models import BusinessProfile, Document, Passage


@admin.register(BusinessProfile)
class BusinessProfileAdmin(admin.ModelAdmin):
    list_display = ["business_name", "user", "organization_type", "geographic_focus", "updated_at"]
    list_filter = ["organization_type"]
    search_fields = ["business_name", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents arrive only through the upload checks, and leave through the owner's delete."""

    list_display = ["original_name", "profile", "kind", "size_bytes", "text_length", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "profile__user__email", "profile__business_name"]
    list_select_related = ["profile"]
    readonly_fields = ["profile", "original_name", "storage_name", "kind", "size_bytes", "text_length", "uploaded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    """Read-only: passages are rebuilt from the profile and its documents."""

    list_display = ["__str__", "profile", "document", "position"]
    search_fields = ["text", "profile__user__email"]
    list_select_related = ["profile", "document"]
    readonly_fields = ["profile", "document", "source_label", "position", "text"]
    exclude = ["search"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
