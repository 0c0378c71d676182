from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.fields import LegacyJSONField
from accounts.models import UserSettings, choices_check

HIGH_PRIORITY_SCORE = 0.7


class GrantStatus(models.TextChoices):
    """The record's status; the values of the legacy ``grantstatus`` enum."""

    ACTIVE = "ACTIVE", "Active"
    EXPIRED = "EXPIRED", "Expired"
    DRAFT = "DRAFT", "Draft"
    ARCHIVED = "ARCHIVED", "Archived"


class SearchRunType(models.TextChoices):
    AUTOMATED = "AUTOMATED", "Automated"
    MANUAL = "MANUAL", "Manual"
    SCHEDULED = "SCHEDULED", "Scheduled"


class SearchRunStatus(models.TextChoices):
    SUCCESS = "SUCCESS", "Succeeded"
    FAILED = "FAILED", "Failed"
    PARTIAL = "PARTIAL", "Partly succeeded"
    IN_PROGRESS = "IN_PROGRESS", "In progress"


class Grant(models.Model):
    """A funding opportunity found for one user, scored against their profile.

    The legacy ``grants`` table: its columns keep their legacy names and storage types.
    """

    id = models.AutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants", db_index=False)
    title = models.TextField()
    description = models.TextField(null=True, blank=True)
    funding_amount = models.FloatField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    source_url = models.TextField(null=True, blank=True)
    source_name = models.TextField(null=True, blank=True)
    identified_sector = models.TextField(null=True, blank=True)
    identified_sub_sector = models.TextField(null=True, blank=True)
    geographic_scope = models.TextField(null=True, blank=True)
    specific_location_mentions = LegacyJSONField(null=True, blank=True)
    raw_source_data = LegacyJSONField(null=True, blank=True)
    enrichment_log = LegacyJSONField(null=True, blank=True)
    last_enriched_at = models.DateTimeField(null=True, blank=True)
    overall_composite_score = models.FloatField(null=True, blank=True)
    # Added by the multi-user schema.
    external_id = models.TextField(null=True, blank=True)
    funder_name = models.TextField(null=True, blank=True)
    funding_min = models.FloatField(null=True, blank=True)
    funding_max = models.FloatField(null=True, blank=True)
    funding_display = models.TextField(null=True, blank=True)
    open_date = models.DateTimeField(null=True, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    sector_relevance_score = models.FloatField(null=True, blank=True)
    geographic_relevance_score = models.FloatField(null=True, blank=True)
    operational_alignment_score = models.FloatField(null=True, blank=True)
    business_logic_alignment_score = models.FloatField(null=True, blank=True)
    feasibility_score = models.FloatField(null=True, blank=True)
    strategic_synergy_score = models.FloatField(null=True, blank=True)
    score_reasons = models.JSONField(default=dict, blank=True)
    record_status = models.CharField(max_length=20, choices=GrantStatus, default=GrantStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        db_table = "grants"
        indexes = [
            # Leads with the owner: serves "this user's grants, best first".
            models.Index(fields=["user", "-overall_composite_score"], name="ix_grants_user_id"),
            models.Index(fields=["title"], name="ix_grants_title"),
            models.Index(fields=["deadline"], name="ix_grants_deadline"),
            models.Index(fields=["identified_sector"], name="ix_grants_identified_sector"),
            models.Index(fields=["identified_sub_sector"], name="ix_grants_identified_sub_sector"),
            models.Index(fields=["overall_composite_score"], name="ix_grants_overall_composite_score"),
        ]
        constraints = [choices_check("record_status", GrantStatus, "grants_record_status_valid")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_high_priority(self) -> bool:
        return (self.overall_composite_score or 0) >= HIGH_PRIORITY_SCORE


class Analysis(models.Model):
    """A legacy scoring analysis of one grant (``analyses``)."""

    id = models.AutoField(primary_key=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="analyses", db_index=False)
    analysis_date = models.DateTimeField(default=timezone.now, null=True)
    final_score = models.FloatField(null=True, blank=True)
    relevance_score = models.FloatField(null=True, blank=True)
    compliance_score = models.FloatField(null=True, blank=True)
    feasibility_score = models.FloatField(null=True, blank=True)
    relevance_details = LegacyJSONField(null=True, blank=True)
    compliance_details = LegacyJSONField(null=True, blank=True)
    feasibility_details = LegacyJSONField(null=True, blank=True)
    overall_summary = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        db_table = "analyses"
        verbose_name_plural = "analyses"
        indexes = [
            models.Index(fields=["final_score"], name="ix_analyses_final_score"),
            # Deleting a grant cascades here; without this each delete scans the table.
            models.Index(fields=["grant"], name="ix_analyses_grant_id"),
        ]

    def __str__(self) -> str:
        return f"Analysis {self.pk} of grant {self.grant_id}"


class SearchRun(models.Model):
    """One search for grants, by hand or on a schedule (``search_runs``)."""

    id = models.AutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="search_runs", db_index=False
    )
    timestamp = models.DateTimeField(default=timezone.now, null=True)
    grants_found = models.IntegerField(null=True, blank=True)
    high_priority = models.IntegerField(null=True, blank=True)
    search_filters = LegacyJSONField(null=True, blank=True)
    run_type = models.CharField(max_length=20, choices=SearchRunType, default=SearchRunType.MANUAL)
    status = models.CharField(max_length=20, choices=SearchRunStatus, default=SearchRunStatus.IN_PROGRESS)
    duration_seconds = models.FloatField(null=True, blank=True)
    error_message = models.TextField(null=True, blank=True)
    error_details = models.JSONField(null=True, blank=True)
    search_query = models.TextField(null=True, blank=True)
    user_triggered = models.BooleanField(default=False)
    sources_searched = models.IntegerField(null=True, blank=True)
    api_calls_made = models.IntegerField(null=True, blank=True)
    processing_time_ms = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, null=True)

    class Meta:
        db_table = "search_runs"
        indexes = [models.Index(fields=["user", "-timestamp"], name="ix_search_runs_user_id")]
        constraints = [
            choices_check("run_type", SearchRunType, "search_runs_run_type_valid"),
            choices_check("status", SearchRunStatus, "search_runs_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Search run {self.pk} ({self.status})"


class SavedGrant(models.Model):
    """A grant a user saved; keyed, as in the legacy table, by their settings row and the grant."""

    pk = models.CompositePrimaryKey("user_settings_id", "grant_id")
    user_settings = models.ForeignKey(UserSettings, on_delete=models.CASCADE, related_name="saved_grants")
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="saves", db_index=False)
    saved_at = models.DateTimeField(default=timezone.now, null=True)

    class Meta:
        db_table = "saved_grants"
        indexes = [models.Index(fields=["grant"], name="ix_saved_grants_grant_id")]

    def __str__(self) -> str:
        return f"Grant {self.grant_id} saved by settings {self.user_settings_id}"
