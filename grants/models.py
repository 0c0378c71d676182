from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Upper
from django.utils import timezone

from accounts.models import UserSettings
from core.fields import LegacyJSONField
from core.models import choices_check
from grants.criteria import OpportunityStatus, SearchCriteria
from grants.scoring import HIGH_PRIORITY_SCORE, MEDIUM_SCORE
from grants.sources.normalize import sanitize_html


def grant_text():
    """A grant's searchable text for the list's ``q=`` filter: title, funder and description.

    The filter (``grant_text()`` with ``__icontains``, which PostgreSQL runs as ``UPPER(...) LIKE``)
    and the trigram index ``ix_grants_user_text`` (on ``UPPER(grant_text())``) must spell the same
    expression for the index to serve it: both come from here.
    """
    return Concat("title", Value(" "), "funder_name", Value(" "), "description", output_field=models.TextField())


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
    # The catalog entry this grant was found as. Nullable with no default: adding it to the
    # million-row table is a catalog-only change, no row is rewritten.
    opportunity = models.ForeignKey(
        "Opportunity", on_delete=models.SET_NULL, null=True, blank=True, related_name="grants", db_index=False
    )

    class Meta:
        db_table = "grants"
        indexes = [
            # One per sort of the user's grants list (grants/selectors.py ORDERINGS), each ending
            # in the id tie-break, so a page is read in order from the index and keyset pages
            # ("after this row") start inside it. They lead with the owner, so they also serve
            # every "this user's grants" lookup and the cascade when a user goes.
            models.Index(
                F("user"),
                F("overall_composite_score").desc(nulls_last=True),
                F("id").desc(),
                name="ix_grants_user_score",
            ),
            models.Index(F("user"), F("deadline").asc(nulls_last=True), F("id"), name="ix_grants_user_deadline_id"),
            models.Index(
                F("user"), F("funding_amount").desc(nulls_last=True), F("id").desc(), name="ix_grants_user_amount"
            ),
            models.Index(
                F("user"), F("created_at").desc(nulls_last=True), F("id").desc(), name="ix_grants_user_newest"
            ),
            # The list's text filter: trigrams of the user's grants' text (btree_gin puts the owner
            # in the same index, so only this user's matches are read, not every user's).
            GinIndex(F("user"), OpClass(Upper(grant_text()), name="gin_trgm_ops"), name="ix_grants_user_text"),
            models.Index(fields=["title"], name="ix_grants_title"),
            models.Index(fields=["deadline"], name="ix_grants_deadline"),
            models.Index(fields=["identified_sector"], name="ix_grants_identified_sector"),
            models.Index(fields=["identified_sub_sector"], name="ix_grants_identified_sub_sector"),
            models.Index(fields=["overall_composite_score"], name="ix_grants_overall_composite_score"),
            # Deduplicating a search run's matches ("does this user already have it?") and the
            # SET NULL when an opportunity goes. Partial: legacy rows (no opportunity) stay out,
            # so building it on the big table writes almost nothing.
            models.Index(
                fields=["opportunity", "user"],
                name="ix_grants_opportunity_user",
                condition=models.Q(opportunity__isnull=False),
            ),
        ]
        constraints = [choices_check("record_status", GrantStatus, "grants_record_status_valid")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_high_priority(self) -> bool:
        return (self.overall_composite_score or 0) >= HIGH_PRIORITY_SCORE


class GrantFigures(models.Model):
    """A user's grants, counted: what the dashboard shows, without reading the grants.

    Kept equal to a fresh count by triggers on ``grants`` (grants/figures_sql.py), whatever writes
    to it. No row means no grants. ``categories`` maps each category code to its grant count.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, primary_key=True, related_name="+"
    )
    total = models.BigIntegerField(default=0)
    high = models.BigIntegerField(default=0, help_text=f"Scored {HIGH_PRIORITY_SCORE} or more.")
    medium = models.BigIntegerField(default=0, help_text=f"Scored from {MEDIUM_SCORE} to under {HIGH_PRIORITY_SCORE}.")
    low = models.BigIntegerField(default=0, help_text=f"Scored under {MEDIUM_SCORE}.")
    unscored = models.BigIntegerField(default=0)
    categories = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "grant_figures"
        verbose_name_plural = "grant figures"

    def __str__(self) -> str:
        return f"Figures of user {self.user_id}: {self.total} grants"


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


class OpportunitySource(models.TextChoices):
    GRANTSGOV = "grantsgov", "Grants.gov"
    CA_PORTAL = "ca-portal", "California Grants Portal"
    DEMO = "demo", "Sample data"


class SanitizedHTMLField(models.TextField):
    """HTML that is cleaned (``sanitize_html``: nh3 with our allow-list) on every write to the database.

    Pages render it unescaped, so the cleaning cannot be left to the importers: ``save()``, the
    admin, ``bulk_create``/``bulk_update`` and ``update()`` with a value all pass through here.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return sanitize_html(value) if value else value


class Opportunity(models.Model):
    """A funding opportunity as published by a source: the shared catalog, owned by no user."""

    source = models.CharField(max_length=20, choices=OpportunitySource)
    external_id = models.CharField(max_length=64)
    number = models.CharField(max_length=100, blank=True, default="")
    title = models.TextField()
    agency_code = models.CharField(max_length=50, blank=True, default="")
    agency_name = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, choices=OpportunityStatus, default=OpportunityStatus.POSTED)
    is_forecast = models.BooleanField(default=False)
    description = SanitizedHTMLField(blank=True, default="", help_text="HTML; cleaned of scripts and the like on save.")
    description_text = models.TextField(blank=True, default="")
    categories = models.JSONField(default=list, blank=True)
    funding_instruments = models.JSONField(default=list, blank=True)
    eligible_applicants = models.JSONField(default=list, blank=True)
    eligibility_text = models.TextField(blank=True, default="")
    cfda_numbers = models.JSONField(default=list, blank=True)
    post_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    close_date_text = models.TextField(blank=True, default="")
    is_rolling = models.BooleanField(default=False)
    archive_date = models.DateField(null=True, blank=True)
    award_ceiling = models.BigIntegerField(null=True, blank=True)
    award_floor = models.BigIntegerField(null=True, blank=True)
    estimated_total_funding = models.BigIntegerField(null=True, blank=True)
    expected_awards = models.IntegerField(null=True, blank=True)
    cost_sharing = models.BooleanField(null=True, blank=True)
    url = models.URLField(max_length=1000, blank=True, default="")
    contact_email = models.CharField(max_length=255, blank=True, default="")
    last_updated = models.DateField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, default="")
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Digest of the record as the source sent it: an unchanged record is not normalised again.",
    )
    changed_fields = models.JSONField(default=list, blank=True, help_text="What the last update changed.")
    first_seen_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    search = models.GeneratedField(
        db_persist=True,
        output_field=SearchVectorField(),
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("agency_name", weight="C", config="english")
        + SearchVector("description_text", weight="B", config="english")
        + SearchVector("eligibility_text", weight="D", config="english"),
    )

    class Meta:
        db_table = "opportunities"
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="opportunities_source_external_id_uniq"),
            choices_check("status", OpportunityStatus, "opportunities_status_valid"),
        ]
        indexes = [
            GinIndex(fields=["search"], name="ix_opportunities_search"),
            models.Index(fields=["status", "close_date"], name="ix_opportunities_status_close"),
            models.Index(fields=["first_seen_at"], name="ix_opportunities_first_seen"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_sample(self) -> bool:
        return self.source == OpportunitySource.DEMO


class CatalogSync(models.Model):
    """One pass of a source adapter over the catalog, with what it changed."""

    source = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=SearchRunStatus, default=SearchRunStatus.IN_PROGRESS)
    new = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    api_calls = models.IntegerField(default=0)
    error_message = models.TextField(blank=True, default="")
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "catalog_syncs"
        constraints = [choices_check("status", SearchRunStatus, "catalog_syncs_status_valid")]

    def __str__(self) -> str:
        return f"{self.source} sync {self.pk} ({self.status})"


class SavedSearch(models.Model):
    """Search criteria a user keeps, and whether new matches are e-mailed to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=200)
    criteria = models.JSONField(default=dict, blank=True)
    alerts_enabled = models.BooleanField(default=True)
    unsubscribe_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "saved_searches"
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.name

    @property
    def summary(self) -> str:
        return SearchCriteria.from_dict(self.criteria).summary()


class AlertDigest(models.Model):
    """One alert e-mail for a saved search; at most one a day, enforced by the database."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="digests")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    opportunity_count = models.IntegerField(default=0)

    class Meta:
        db_table = "alert_digests"
        constraints = [models.UniqueConstraint(fields=["saved_search", "sent_on"], name="alert_digests_one_a_day")]

    def __str__(self) -> str:
        return f"Digest of {self.saved_search_id} on {self.sent_on}"


class AlertedOpportunity(models.Model):
    """An opportunity already sent for a saved search: it is never sent again."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="alerted")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    digest = models.ForeignKey(AlertDigest, on_delete=models.CASCADE, related_name="items")

    class Meta:
        db_table = "alerted_opportunities"
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "opportunity"], name="alerted_opportunities_once"),
        ]

    def __str__(self) -> str:
        return f"Opportunity {self.opportunity_id} sent for {self.saved_search_id}"


class DeadlineReminder(models.Model):
    """A deadline reminder sent for a grant; one per grant and deadline."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="+")
    deadline = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "deadline_reminders"
        constraints = [models.UniqueConstraint(fields=["grant", "deadline"], name="deadline_reminders_once")]

    def __str__(self) -> str:
        return f"Reminder for grant {self.grant_id}"
