"""Private foundations (from their IRS 990-PF returns), the grants they paid, and a user's dealings.

``Funder``, ``FunderReturn`` and ``FunderGrant`` are public data owned by no user, rebuilt from the
filings. ``SavedFunder`` and ``FunderApproach`` are a user's own (registered owner data).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils import timezone

from core.models import choices_check


class Funder(models.Model):
    """A private foundation as its latest imported return describes it."""

    ein = models.CharField(max_length=9, unique=True)
    name = models.TextField()
    name_line2 = models.TextField(blank=True, default="")
    address_line1 = models.TextField(blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    # As filed: a state code for US addresses, a province for foreign ones; never "corrected".
    state = models.CharField(max_length=100, blank=True, default="")
    zip_code = models.CharField(max_length=20, blank=True, default="", help_text="Text: leading zeros kept.")
    country = models.CharField(max_length=60, blank=True, default="", help_text="Empty for US addresses.")
    phone = models.CharField(max_length=40, blank=True, default="")
    website = models.TextField(blank=True, default="")
    tax_year = models.PositiveSmallIntegerField(null=True, blank=True)
    total_assets = models.BigIntegerField(null=True, blank=True, help_text="Fair market value at year end.")
    total_grants_paid = models.BigIntegerField(null=True, blank=True, help_text="Part XV line 3a total.")
    grants_count = models.PositiveIntegerField(default=0, help_text="Grants paid listed in the latest return.")
    preselected_only = models.BooleanField(default=False, help_text="Gives only to preselected organisations.")
    application = models.JSONField(default=list, blank=True, help_text="Part XV line 2, as filed.")
    updated_at = models.DateTimeField(default=timezone.now)
    search = models.GeneratedField(
        db_persist=True,
        output_field=SearchVectorField(),
        expression=SearchVector("name", weight="A", config="simple")
        + SearchVector("city", weight="C", config="simple"),
    )

    class Meta:
        db_table = "funders"
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search"], name="ix_funders_search"),
            models.Index(fields=["state", "name"], name="ix_funders_state_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def accepts_applications(self) -> bool:
        return not self.preselected_only

    @property
    def ein_display(self) -> str:
        return f"{self.ein[:2]}-{self.ein[2:]}" if len(self.ein) == 9 else self.ein


class FunderReturn(models.Model):
    """One 990-PF return: the one kept for its EIN and tax year (a later or amended one replaces it)."""

    object_id = models.CharField(max_length=64, unique=True, help_text="The IRS object id (file name).")
    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="returns")
    tax_year = models.PositiveSmallIntegerField()
    tax_period_begin = models.DateField(null=True, blank=True)
    tax_period_end = models.DateField(null=True, blank=True)
    return_version = models.CharField(max_length=20, blank=True, default="")
    filed_at = models.DateTimeField(null=True, blank=True, help_text="ReturnTs: when it was signed and sent.")
    amended = models.BooleanField(default=False)
    total_assets = models.BigIntegerField(null=True, blank=True)
    total_grants_paid = models.BigIntegerField(null=True, blank=True)
    total_future_grants = models.BigIntegerField(null=True, blank=True)
    # How many paid grants it lists: matching sums these rather than counting grant rows.
    paid_grants = models.PositiveIntegerField(default=0)
    preselected_only = models.BooleanField(default=False)
    application = models.JSONField(default=list, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "funder_returns"
        constraints = [
            models.UniqueConstraint(fields=["funder", "tax_year"], name="funder_returns_funder_year_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.funder_id} {self.tax_year} ({self.object_id})"


class GrantKind(models.TextChoices):
    PAID = "paid", "Paid during the year"
    FUTURE = "future", "Approved for future payment"


class FunderGrant(models.Model):
    """One grant listed in Part XV line 3 of a return, values as filed."""

    filing = models.ForeignKey(FunderReturn, on_delete=models.CASCADE, related_name="grants", db_index=False)
    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="grants", db_index=False)
    tax_year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=GrantKind, default=GrantKind.PAID)
    position = models.PositiveIntegerField(default=0)
    recipient_name = models.TextField(blank=True, default="")
    recipient_name_line2 = models.TextField(blank=True, default="")
    recipient_is_person = models.BooleanField(default=False)
    recipient_address_line1 = models.TextField(blank=True, default="")
    recipient_city = models.CharField(max_length=100, blank=True, default="")
    recipient_state = models.CharField(max_length=100, blank=True, default="")
    recipient_zip = models.CharField(max_length=20, blank=True, default="")
    recipient_country = models.CharField(max_length=60, blank=True, default="")
    relationship = models.TextField(blank=True, default="")
    foundation_status = models.TextField(blank=True, default="")
    purpose = models.TextField(blank=True, default="")
    amount = models.BigIntegerField(null=True, blank=True)
    search = models.GeneratedField(
        db_persist=True,
        output_field=SearchVectorField(),
        # Purposes only: matching counts grants "for work like yours", not recipients' names.
        expression=SearchVector("purpose", config="english"),
    )

    class Meta:
        db_table = "funder_grants"
        ordering = ["filing", "kind", "position"]
        indexes = [
            # Matching: "grants paid in this state, by funder" (bench/funders_match.py).
            models.Index(fields=["recipient_state", "funder", "tax_year"], name="ix_funder_grants_state"),
            models.Index(fields=["funder", "tax_year"], name="ix_funder_grants_funder_year"),
            models.Index(fields=["filing"], name="ix_funder_grants_filing"),
            GinIndex(fields=["search"], name="ix_funder_grants_search"),
        ]
        constraints = [choices_check("kind", GrantKind, "funder_grants_kind_valid")]

    def __str__(self) -> str:
        return f"{self.recipient_name}: {self.amount}"


class FunderSync(models.Model):
    """One import of 990-PF returns, with what it did."""

    source = models.CharField(max_length=40)
    path = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, default="running")
    new = models.IntegerField(default=0)
    replaced = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    older = models.IntegerField(default=0, help_text="Returns skipped: a later one for the year is kept.")
    skipped = models.IntegerField(default=0, help_text="Files that are not 990-PF returns.")
    failed = models.IntegerField(default=0)
    grants = models.IntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "funder_syncs"

    def __str__(self) -> str:
        return f"{self.source} {self.pk} ({self.status})"


class SavedFunder(models.Model):
    """A funder a user keeps an eye on (and is told about when it files again)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_funders")
    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="saves")
    saved_at = models.DateTimeField(default=timezone.now)
    # The latest filing the user has been told about, so a digest notes only new ones.
    last_seen_return = models.ForeignKey(
        FunderReturn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "saved_funders"
        constraints = [models.UniqueConstraint(fields=["user", "funder"], name="saved_funders_user_funder_uniq")]
        indexes = [models.Index(fields=["funder"], name="ix_saved_funders_funder")]

    def __str__(self) -> str:
        return f"{self.funder_id} saved by {self.user_id}"


class ApproachStage(models.TextChoices):
    LOI_SENT = "loi_sent", "Letter of inquiry sent"
    INVITED = "invited", "Invited to apply"
    DECLINED = "declined", "Declined"
    FUNDED = "funded", "Funded"


class FunderApproach(models.Model):
    """One step of approaching a funder, as the user logs it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funder_approaches")
    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="approaches")
    stage = models.CharField(max_length=20, choices=ApproachStage)
    happened_on = models.DateField(default=timezone.localdate)
    amount = models.PositiveBigIntegerField(null=True, blank=True, help_text="Awarded, when funded.")
    notes = models.TextField(blank=True, default="", max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "funder_approaches"
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["user", "funder"], name="ix_funder_approaches_user")]
        constraints = [choices_check("stage", ApproachStage, "funder_approaches_stage_valid")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} ({self.happened_on})"
