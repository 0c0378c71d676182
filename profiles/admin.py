from django.contrib import admin
from django.contrib.postgres.search import SearchQuery

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
    search_fields = ["profile__user__email"]
    list_select_related = ["profile", "document"]
    readonly_fields = ["profile", "document", "source_label", "position", "text"]
    exclude = ["search"]

    def get_search_results(self, request, queryset, search_term):
        # The text is encrypted at rest: its words are searched through the full-text vector.
        by_email, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return by_email, may_have_duplicates
        by_words = queryset.filter(search=SearchQuery(search_term, config="english"))
        return by_email | by_words, may_have_duplicates

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
