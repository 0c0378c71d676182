from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import choices_check
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


class GenerationState(models.TextChoices):
    """Where the background writing of an application (or of one section) stands."""

    IDLE = "idle", "Not started"
    QUEUED = "queued", "Waiting for the writer"
    RUNNING = "running", "Writing"
    SUCCEEDED = "succeeded", "Written"
    FAILED = "failed", "Failed"


_S = ApplicationGenerationStatus
# The workflow: generated, optionally edited, submitted, then an outcome. Nothing moves backwards.
ALLOWED_STATUS_MOVES: dict[str, frozenset[str]] = {
    _S.DRAFT: frozenset({_S.GENERATED}),
    _S.GENERATED: frozenset({_S.EDITED, _S.SUBMITTED}),
    _S.EDITED: frozenset({_S.SUBMITTED}),
    _S.SUBMITTED: frozenset({_S.AWARDED, _S.REJECTED}),
    _S.AWARDED: frozenset(),
    _S.REJECTED: frozenset(),
}
# Sections may be edited or rewritten only before the application is submitted.
WRITABLE_STATUSES = frozenset({_S.DRAFT, _S.GENERATED, _S.EDITED})
OFFLINE_MODEL_NAME = "offline-template"


class InvalidStatusMove(ValueError):
    """A status change the workflow does not allow; the message is for the user."""


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
    # Background generation: state, progress in sections and what went wrong, for the polling page.
    generation_state = models.CharField(max_length=20, choices=GenerationState, default=GenerationState.IDLE)
    generation_error = models.TextField(blank=True, default="")
    progress_done = models.PositiveSmallIntegerField(default=0)
    progress_total = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, default="")
    regenerating_section = models.CharField(
        max_length=50, blank=True, default="", help_text="The one section being rewritten; empty for all."
    )
    allowance_consumed = models.BooleanField(
        default=False, help_text="Whether this application holds one of the user's application allowance."
    )
    cost_cents = models.PositiveIntegerField(default=0)
    tokens_estimated = models.BooleanField(
        default=False,
        help_text="The writing service did not report token usage: tokens and cost are estimated from the text.",
    )
    incomplete_sections = models.JSONField(
        default=list,
        blank=True,
        help_text="Keys of sections the model stopped writing at its length limit (shown as incomplete).",
    )
    history = models.OneToOneField(
        ApplicationHistory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="generated_application",
        help_text="The grant's application-history row that this application's outcome feeds.",
    )

    class Meta:
        db_table = "generated_applications"
        indexes = [
            models.Index(fields=["user", "-created_at"], name="ix_generated_applications_user_id"),
            models.Index(fields=["grant"], name="ix_generated_applications_grant_id"),
        ]
        constraints = [
            choices_check("status", ApplicationGenerationStatus, "generated_applications_status_valid"),
            choices_check("generation_state", GenerationState, "generated_applications_generation_state_valid"),
        ]

    def __str__(self) -> str:
        return f"Application for {self.grant} ({self.status})"

    def can_move_to(self, status: str) -> bool:
        return status in ALLOWED_STATUS_MOVES.get(self.status, frozenset())

    def move_to(self, status: str) -> None:
        """Change the status if the workflow allows it (not saved); ``InvalidStatusMove`` otherwise."""
        if status not in ApplicationGenerationStatus.values:
            raise InvalidStatusMove(f"“{status}” is not an application status.")
        if not self.can_move_to(status):
            raise InvalidStatusMove(
                f"An application that is {self.get_status_display().lower()} cannot become "
                f"{ApplicationGenerationStatus(status).label.lower()}."
            )
        self.status = status

    @property
    def next_statuses(self) -> list[str]:
        return [status for status in ApplicationGenerationStatus.values if self.can_move_to(status)]

    @property
    def is_writable(self) -> bool:
        return self.status in WRITABLE_STATUSES

    @property
    def is_busy(self) -> bool:
        return self.generation_state in (GenerationState.QUEUED, GenerationState.RUNNING)

    @property
    def is_template_draft(self) -> bool:
        """Written (at least partly) by the offline template writer rather than a language model."""
        return OFFLINE_MODEL_NAME in self.model_used
