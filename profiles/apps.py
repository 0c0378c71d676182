from django.apps import AppConfig


def _document_file_names(documents):
    # Relative to MEDIA_ROOT (default_storage), where profiles.services.document_storage keeps them.
    return [f"documents/{name}" for name in documents.values_list("storage_name", flat=True)]


class ProfilesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "profiles"

    def ready(self):
        from accounts.registry import owner_models
        from profiles.models import BusinessProfile, Document, Passage

        owner_models.register(BusinessProfile, owner="user")
        owner_models.register(Document, owner="profile__user", files=_document_file_names, files_encrypted=True)
        # The search vector is derived from the text; exporting it would only add noise.
        owner_models.register(Passage, owner="profile__user", exclude=["search"])

        from core.first_steps import first_steps

        first_steps.register(
            order=10,
            label="Complete your business profile",
            why="Scores and drafts are only as good as what it says.",
            url_name="profiles:edit",
            done=lambda user: BusinessProfile.objects.filter(user=user).exists(),
        )
