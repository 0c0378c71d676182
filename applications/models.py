from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import choices_check
from grants.models import Grant


class ApplicationStatus(models.TextChoices):
    """Stored in the legacy PostgreSQL enum type ``applicationstatus``."""

    NOT_APPLIED = "NOT_APPLIED", "Not applied"
    DRAFTING = "DRAFTING", "Drafting"
    APPLIED = "APPLIED", "Applied"
    UNDER_REVIEW = "UNDER_REVIEW", "Under review"
    AWARDED = "AWARDED", "Awarded"
    REJECTED = "REJECTED", "Rejected"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class ApplicationGenerationStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    GENERATED = "GENERATED", "Generated"
    EDITED = "EDITED", "Edited"
    SUBMITTED = "SUBMITTED", "Submitted"
    AWARDED = "AWARDED", "Awarded"
    REJECTED = "REJECTED", "Rejected"


class ApplicationHistory(models.Model):
    """The tracked outcome of applying for a grant (``application_history``).

    ``user_id_old`` keeps the legacy string owner id that the multi-user migration remapped.
    """

    id = models.AutoField(primary_key=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="application_history", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_history", db_index=False
    )
    user_id_old = models.TextField(null=True, blank=True, help_text="The legacy owner string, if any.")
    application_date = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ApplicationStatus, default=ApplicationStatus.NOT_APPLIED)
    status_reason = models.TextField(null=True, blank=True)
    award_amount = models.FloatField(null=True, blank=True)
    feedback_notes = models.TextField(null=True, blank=True)
    is_successful_outcome = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        db_table = "application_history"
        verbose_name_plural = "application history"
        indexes = [
            models.Index(fields=["user"], name="ix_application_history_user_id"),
            models.Index(fields=["user_id_old"], name="ix_application_history_user_id_old"),
            models.Index(fields=["grant"], name="ix_application_history_grant_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} for grant {self.grant_id}"


class GeneratedApplication(models.Model):
    """A draft grant application written from the user's profile for one of their grants."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generated_applications", db_index=False
    )
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="generated_applications", db_index=False)
    generated_content = models.TextField(blank=True, default="")
    sections = models.JSONField(default=dict, blank=True)
    generation_date = models.DateTimeField(null=True, blank=True)
    last_edited = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ApplicationGenerationStatus, default=ApplicationGenerationStatus.DRAFT
    )
    feedback_notes = models.TextField(blank=True, default="")
    user_edits = models.JSONField(default=dict, blank=True)
    model_used = models.CharField(max_length=100, blank=True, default="")
    generation_time_seconds = models.FloatField(null=True, blank=True)
    tokens_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "generated_applications"
        indexes = [
            models.Index(fields=["user", "-created_at"], name="ix_generated_applications_user_id"),
            models.Index(fields=["grant"], name="ix_generated_applications_grant_id"),
        ]
        constraints = [
            choices_check("status", ApplicationGenerationStatus, "generated_applications_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Application for {self.grant} ({self.status})"
