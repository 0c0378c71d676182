"""Shared reads of the grants app: the catalog search, a user's grants, dashboard figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import UserSettings
from grants.criteria import SearchCriteria
from grants.forms import GrantFilterForm
from grants.models import (
    HIGH_PRIORITY_SCORE,
    CatalogSync,
    Grant,
    Opportunity,
    OpportunityStatus,
    SavedGrant,
    SearchRun,
    SearchRunStatus,
)
from grants.scoring import OpportunityFacts, ProfileFacts
from grants.search_query import keyword_ranked
from profiles.selectors import profile_for_user

UNRESTRICTED = "99"


def profile_facts(user) -> ProfileFacts:
    """The user's business profile as the scorer sees it (empty when they have none yet)."""
    profile = profile_for_user(user=user)
    if profile is None:
        return ProfileFacts()
    return ProfileFacts(
        sectors=tuple(str(s) for s in profile.target_sectors or ()),
        geographic_focus=profile.geographic_focus,
        organization_type=profile.organization_type,
        revenue_range=profile.revenue_range,
        team_size=profile.team_size,
        mission=profile.mission_statement,
        services=profile.service_description,
        narrative=profile.narrative_text,
    )


def opportunity_facts(opportunity: Opportunity) -> OpportunityFacts:
    return OpportunityFacts(
        title=opportunity.title,
        text=f"{opportunity.description_text} {opportunity.eligibility_text}",
        categories=tuple(opportunity.categories),
        eligible_applicants=tuple(opportunity.eligible_applicants),
        award_ceiling=opportunity.award_ceiling,
        award_floor=opportunity.award_floor,
        cost_sharing=opportunity.cost_sharing,
        close_date=opportunity.close_date,
        is_rolling=opportunity.is_rolling,
        is_forecast=opportunity.is_forecast,
    )


def _any_of(field: str, codes: list[str]) -> Q:
    condition = Q()
    for code in codes:
        condition |= Q(**{f"{field}__contains": [code]})
    return condition


def opportunity_search(*, criteria: SearchCriteria, today: date, since: datetime | None = None) -> QuerySet:
    """Open catalog opportunities matching the criteria, best text match first."""
    statuses = [OpportunityStatus.POSTED]
    if criteria.include_forecasts:
        statuses.append(OpportunityStatus.FORECASTED)
    found = Opportunity.objects.filter(status__in=statuses).filter(
        Q(close_date__isnull=True) | Q(close_date__gte=today)
    )
    if criteria.categories:
        found = found.filter(_any_of("categories", criteria.categories))
    if criteria.eligibility:
        # "Unrestricted" admits everyone, so it always counts as a match.
        found = found.filter(_any_of("eligible_applicants", [*criteria.eligibility, UNRESTRICTED]))
    if criteria.amount_min:
        found = found.filter(Q(award_ceiling__isnull=True) | Q(award_ceiling__gte=criteria.amount_min))
    if criteria.amount_max:
        found = found.filter(Q(award_floor__isnull=True) | Q(award_floor__lte=criteria.amount_max))
    if criteria.deadline_within_days:
        found = found.filter(close_date__lte=today + timedelta(days=criteria.deadline_within_days))
    if since:
        found = found.filter(first_seen_at__gt=since)
    ranked = keyword_ranked(found, criteria.keywords)
    if ranked is not None:
        return ranked
    return found.order_by(F("close_date").asc(nulls_last=True), "id")


def saved_grant_ids(user, grant_ids) -> set[int]:
    return set(
        SavedGrant.objects.filter(user_settings__user=user, grant_id__in=list(grant_ids)).values_list(
            "grant_id", flat=True
        )
    )


def grants_for_user(user) -> QuerySet:
    """The user's grants, each annotated with whether they saved it.

    Saved grants are keyed by the settings row; looking its id up first lets each row's check be
    one probe of the saved_grants primary key instead of a join through user_settings.
    """
    settings_id = UserSettings.objects.filter(user=user).values_list("pk", flat=True).first()
    saved = SavedGrant.objects.filter(user_settings_id=settings_id, grant_id=OuterRef("pk"))
    return Grant.objects.filter(user=user).annotate(is_saved=Exists(saved))


def dashboard_figures(user) -> dict:
    now = timezone.now()
    grants = Grant.objects.filter(user=user)
    return {
        "total": grants.count(),
        "high_priority_count": grants.filter(overall_composite_score__gte=HIGH_PRIORITY_SCORE).count(),
        "saved_count": SavedGrant.objects.filter(user_settings__user=user).count(),
        "high_priority": grants.filter(overall_composite_score__gte=HIGH_PRIORITY_SCORE)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=now))
        .order_by("-overall_composite_score")[:5],
        "upcoming": grants.filter(deadline__gte=now, deadline__lte=now + timedelta(days=30)).order_by("deadline")[:10],
        "last_run": SearchRun.objects.filter(user=user).order_by("-timestamp").first(),
    }


ORDERINGS = {
    "score": [F("overall_composite_score").desc(nulls_last=True), "-id"],
    "deadline": [F("deadline").asc(nulls_last=True), "id"],
    "amount": [F("funding_amount").desc(nulls_last=True), "-id"],
    "newest": ["-created_at", "-id"],
}


def grants_filtered(user, data) -> tuple[GrantFilterForm, QuerySet]:
    """The user's grants narrowed by the list filters (invalid filters are ignored, and shown)."""
    form = GrantFilterForm(data)
    grants = grants_for_user(user)
    if not form.is_valid():
        return form, grants.order_by(*ORDERINGS["score"])
    data = form.cleaned_data
    if data["q"]:
        grants = grants.filter(
            Q(title__icontains=data["q"]) | Q(funder_name__icontains=data["q"]) | Q(description__icontains=data["q"])
        )
    if data["category"]:
        grants = grants.filter(categories__contains=[data["category"]])
    if data["min_score"] is not None:
        grants = grants.filter(overall_composite_score__gte=data["min_score"])
    if data["deadline_within"]:
        now = timezone.now()
        grants = grants.filter(deadline__gte=now, deadline__lte=now + timedelta(days=data["deadline_within"]))
    if data["status"]:
        grants = grants.filter(record_status=data["status"])
    if data["saved"]:
        grants = grants.filter(is_saved=True)
    return form, grants.order_by(*ORDERINGS[data["sort"] or "score"])


def catalog_health(*, now: datetime | None = None) -> dict:
    """/health's ``catalog``: when a Grants.gov sync last succeeded, and whether that is too long ago.

    A sync counts when it ended SUCCESS or PARTIAL (a few details missed still refreshes the
    rest). "stale" past CATALOG_STALE_AFTER_HOURS; informational, /health stays 200.
    """
    now = now or timezone.now()
    limit = settings.CATALOG_STALE_AFTER_HOURS
    last = (
        CatalogSync.objects.filter(
            source__startswith="grantsgov", status__in=[SearchRunStatus.SUCCESS, SearchRunStatus.PARTIAL]
        )
        .order_by("-finished_at")
        .values_list("finished_at", "source")
        .first()
    )
    if last is None or last[0] is None:
        return {"status": "stale", "last_success": None, "age_hours": None, "stale_after_hours": limit}
    age = round((now - last[0]).total_seconds() / 3600, 1)
    return {
        "status": "stale" if age > limit else "ok",
        "last_success": last[0].isoformat(timespec="seconds"),
        "source": last[1],
        "age_hours": age,
        "stale_after_hours": limit,
    }
