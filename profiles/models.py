from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

from accounts.fields import EncryptedTextField

NARRATIVE_MAX_LENGTH = 2000
# The total size of one user's uploaded documents.
DOCUMENTS_MAX_TOTAL_BYTES = 10 * 1024 * 1024


class OrganizationType(models.TextChoices):
    NONPROFIT = "nonprofit", "Nonprofit (501(c)(3))"
    SMALL_BUSINESS = "small_business", "Small business"
    FOR_PROFIT = "for_profit", "For-profit organisation (other than small business)"
    EDUCATION = "education", "School, college or university"
    GOVERNMENT = "government", "State, local or tribal government"
    INDIVIDUAL = "individual", "Individual"
    OTHER = "other", "Other"


class BusinessProfile(models.Model):
    """What a grant seeker's organisation is and does: the ground truth for scoring and writing."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="business_profile")
    business_name = models.CharField(max_length=255)
    organization_type = models.CharField(max_length=30, choices=OrganizationType, blank=True, default="")
    # The free text is encrypted at rest (accounts/encryption.py); the short facts used to filter
    # and score grants (name, type, sectors, place, size) stay in clear.
    mission_statement = EncryptedTextField(blank=True, default="")
    service_description = EncryptedTextField(blank=True, default="")
    website_url = models.URLField(max_length=500, blank=True, default="")
    target_sectors = models.JSONField(default=list, blank=True)
    revenue_range = models.CharField(max_length=50, blank=True, default="")
    years_in_operation = models.PositiveIntegerField(null=True, blank=True)
    geographic_focus = models.CharField(max_length=255, blank=True, default="")
    team_size = models.PositiveIntegerField(null=True, blank=True)
    narrative_text = EncryptedTextField(max_length=NARRATIVE_MAX_LENGTH, blank=True, default="")
    uploaded_documents = models.JSONField(default=list, blank=True)
    documents_total_size_bytes = models.PositiveBigIntegerField(default=0)
    vector_embeddings_id = models.CharField(max_length=255, blank=True, default="")
    embeddings_generated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "business_profiles"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization_type__in=["", *OrganizationType.values]),
                name="business_profiles_organization_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.business_name


class DocumentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document (DOCX)"
    TXT = "txt", "Plain text"


class Document(models.Model):
    """A file the user uploaded to ground their applications; stored under a generated name.

    ``original_name`` is for display only: it never reaches a filesystem path.
    """

    profile = models.ForeignKey(BusinessProfile, on_delete=models.CASCADE, related_name="documents")
    original_name = models.CharField(max_length=255)
    storage_name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=DocumentKind)
    size_bytes = models.PositiveBigIntegerField()
    text_length = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "profile_documents"
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DocumentKind.values), name="profile_documents_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Passage(models.Model):
    """A short piece of the profile or of a document, indexed for full-text retrieval.

    Profile passages have no document; they are rebuilt whenever the profile is saved. ``text``
    is encrypted at rest; ``search`` is its full-text vector (stemmed words and positions),
    computed from the clear text when the row is written and kept in clear so PostgreSQL can rank
    passages (see the README, "Encryption at rest").
    """

    profile = models.ForeignKey(BusinessProfile, on_delete=models.CASCADE, related_name="passages")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, null=True, blank=True, related_name="passages")
    source_label = models.CharField(max_length=300)
    position = models.PositiveIntegerField()
    text = EncryptedTextField()
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        db_table = "profile_passages"
        ordering = ["profile", "document", "position"]
        indexes = [
            GinIndex(fields=["search"], name="ix_profile_passages_search"),
            models.Index(fields=["profile", "document"], name="ix_profile_passages_profile"),
        ]

    def __str__(self) -> str:
        return f"{self.source_label} #{self.position}"

    def save(self, *args, **kwargs):
        self.search = search_vector(self.text)
        super().save(*args, **kwargs)

    @classmethod
    def indexed(cls, **fields) -> Passage:
        """A new passage with its search vector set, for ``bulk_create`` (which skips ``save``)."""
        return cls(**fields, search=search_vector(fields["text"]))


def search_vector(text: str) -> SearchVector:
    # From the clear text, passed as a parameter: the column itself holds only ciphertext.
    return SearchVector(models.Value(text, output_field=models.TextField()), config="english")
