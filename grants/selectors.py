"""Shared reads of the grants app: the catalog search, a user's grants, dashboard figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone

from grants.criteria import UNRESTRICTED, OpportunityStatus, SearchCriteria
from grants.deadlines import deadline_text
from grants.forms import GrantFilterForm
from grants.models import (
    CatalogSync,
    Grant,
    GrantFigures,
    Opportunity,
    SavedGrant,
    SavedSearch,
    SearchRun,
    SearchRunStatus,
    grant_text,
)
from grants.scoring import HIGH_PRIORITY_SCORE, OpportunityFacts, ProfileFacts
from grants.search_query import keyword_ranked
from profiles.selectors import profile_for_user


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


def _is_saved(user):
    """Whether the user saved the row's grant: one probe of saved_grants by grant, per row."""
    return Exists(SavedGrant.objects.filter(user_settings__user_id=user.pk, grant_id=OuterRef("pk")))


def grants_for_user(user) -> QuerySet:
    """The user's grants, each annotated with whether they saved it."""
    return Grant.objects.filter(user=user).annotate(is_saved=_is_saved(user))


def search_runs_for_user(*, user) -> QuerySet[SearchRun]:
    return SearchRun.objects.filter(user=user)


def saved_searches_for_user(*, user) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user)


def saved_search_by_unsubscribe_token(*, token) -> QuerySet[SavedSearch]:
    """The one saved search an alert e-mail's unsubscribe link names: holding the token is the scope."""
    return SavedSearch.objects.filter(unsubscribe_token=token)


def search_run_data(run: SearchRun) -> dict:
    """A search run as the pages' progress poller and the API both give it: one shape, one place."""
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "finished": run.status != SearchRunStatus.IN_PROGRESS,
        "run_type": run.run_type,
        "timestamp": run.timestamp,
        "search_query": run.search_query,
        "search_filters": run.search_filters,
        "grants_found": run.grants_found,
        "high_priority": run.high_priority,
        "new_grants": (run.error_details or {}).get("new_grants"),
        "duration_seconds": run.duration_seconds,
        "sources_searched": run.sources_searched,
        "api_calls_made": run.api_calls_made,
        "processing_time_ms": run.processing_time_ms,
        "error_message": run.error_message,
    }


def figures_for_user(user) -> Any:  # a GrantFigures row with `saved` added
    """The user's precomputed grant figures, with their saved-grant count as ``saved``, in one query."""
    saved = (
        SavedGrant.objects.filter(user_settings__user_id=user.pk)
        .order_by()
        .values("user_settings__user_id")
        .annotate(n=Count("grant_id"))
        .values("n")
    )
    # The row with its saved count annotated (Any: the annotation is no field the stubs know).
    figures: Any = GrantFigures.objects.filter(user_id=user.pk).annotate(saved=Subquery(saved)).first()
    if figures is None:  # no row: no grants, so nothing saved either
        figures = GrantFigures(user_id=user.pk)
        figures.saved = 0
    figures.saved = figures.saved or 0
    return figures


def dashboard_figures(user) -> dict:
    """What the dashboard shows: precomputed counts and a few indexed reads, none growing with the grants."""
    now = timezone.now()
    figures = figures_for_user(user)
    grants = Grant.objects.filter(user=user).only("id", "title", "overall_composite_score", "deadline")
    return {
        "figures": figures,
        "total": figures.total,
        "high_priority_count": figures.high,
        "saved_count": figures.saved,
        "high_priority": grants.filter(overall_composite_score__gte=HIGH_PRIORITY_SCORE)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=now))
        .order_by(*ORDERINGS["score"])[:5],
        "upcoming": grants.filter(deadline__gte=now, deadline__lte=now + timedelta(days=30)).order_by(
            *ORDERINGS["deadline"]
        )[:10],
        "last_run": SearchRun.objects.filter(user=user)
        .only("id", "timestamp", "status", "grants_found", "high_priority")
        .order_by("-timestamp")
        .first(),
    }


ORDERINGS: dict[str, list[Any]] = {
    "score": [F("overall_composite_score").desc(nulls_last=True), "-id"],
    "deadline": [F("deadline").asc(nulls_last=True), "id"],
    "amount": [F("funding_amount").desc(nulls_last=True), "-id"],
    "newest": [F("created_at").desc(nulls_last=True), "-id"],
}


def _filter_grants(grants: QuerySet, data: dict) -> QuerySet:
    if data["q"]:
        # Served by the trigram index ix_grants_user_text (grants/models.py).
        grants = grants.alias(text=grant_text()).filter(text__icontains=data["q"])
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
    return grants


def _valid_filters(form: GrantFilterForm) -> dict | None:
    """The form's filters, or None when it is invalid (then every filter is ignored, and shown)."""
    return form.cleaned_data if form.is_valid() else None


def grants_filtered(user, data) -> tuple[GrantFilterForm, QuerySet]:
    """The user's grants narrowed by the list filters (invalid filters are ignored, and shown)."""
    form = GrantFilterForm(data)
    grants = grants_for_user(user)
    filters = _valid_filters(form)
    if filters is None:
        return form, grants.order_by(*ORDERINGS["score"])
    return form, _filter_grants(grants, filters).order_by(*ORDERINGS[filters["sort"] or "score"])


def grants_filtered_count(user, form: GrantFilterForm, grants: QuerySet) -> int:
    """How many grants ``grants_filtered`` found: the precomputed total when nothing narrows them."""
    filters = _valid_filters(form)
    if filters is None or not any(filters[name] for name in filters if name != "sort"):
        return GrantFigures.objects.filter(user_id=user.pk).values_list("total", flat=True).first() or 0
    return grants.count()


# The list page -----------------------------------------------------------------------------------

PAGE_SIZE = 25
# A filtered list counts its matches only this far past the page's start ("100+ grants"): the rows
# come in the same query as the page, read in order from the sort's index. Counting every match
# of a text filter that matches most of a user's grants would read them all.
COUNT_AHEAD = 4 * PAGE_SIZE
# What a row shows, plus every sort's column (a page's cursor names its last row's).
LIST_COLUMNS = ("id", "title", "funder_name", "source_name", "overall_composite_score", "deadline", "funding_display",
                "funding_amount", "created_at")  # fmt: skip
# Each sort's column and direction; nulls always last, the id breaking ties in the same direction.
SORT_KEYS = {
    "score": ("overall_composite_score", True),
    "deadline": ("deadline", False),
    "amount": ("funding_amount", True),
    "newest": ("created_at", True),
}
_DATETIME_SORTS = {"deadline", "created_at"}


@dataclass(frozen=True)
class GrantPage:
    """One page of the list: rows ready to show, where it sits, and the links to its neighbours.

    ``next_cursor``/``previous_cursor`` name the last/first row shown: the next page is read from
    the sort's index starting after that row (keyset pagination), so page 300 costs what page 1
    costs. A bare ``?page=N`` (typed or bookmarked) is served by OFFSET.
    """

    rows: list[dict]
    number: int
    count: int
    count_is_lower_bound: bool = False
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE), self.number)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _cursor_encode(sort: str, row: dict) -> str:
    value = row[SORT_KEYS[sort][0]]
    if value is None:
        return f"~{row['id']}"
    return f"{value.isoformat() if isinstance(value, datetime) else repr(value)}~{row['id']}"


def _cursor_decode(sort: str, text: str):
    """(value, id) from a cursor, or None when it is not one of this sort's."""
    value, _, pk = (text or "").rpartition("~")
    if not pk.isdigit() or not text:
        return None
    if value == "":
        return None, int(pk)
    try:
        if SORT_KEYS[sort][0] in _DATETIME_SORTS:
            parsed = datetime.fromisoformat(value)
            return (parsed if parsed.tzinfo else None), int(pk)
        return float(value), int(pk)
    except ValueError:
        return None


def _ordered(grants: QuerySet, sort: str, *, backwards: bool) -> QuerySet:
    """The sort's order, or its exact reverse (the same index read backwards)."""
    column, descending = SORT_KEYS[sort]
    nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
    if descending != backwards:
        return grants.order_by(F(column).desc(**nulls), "-id")
    return grants.order_by(F(column).asc(**nulls), "id")


def _beyond(grants: QuerySet, sort: str, value, pk: int, *, backwards: bool) -> tuple[QuerySet, QuerySet | None]:
    """The rows after (or before) the cursor row: (non-null part, null part) in reading order.

    The non-null part is a row comparison, which the index takes as its start key; rows whose
    column is NULL come last in the sort and are read as a second part when the first runs out.
    """
    column, descending = SORT_KEYS[sort]
    smaller = descending != backwards
    op = "<" if smaller else ">"
    nulls = grants.filter(**{f"{column}__isnull": True})
    if value is None:
        # The cursor is among the nulls (ordered by id alone): forwards stay there; backwards
        # first finish the nulls, then every non-null row.
        nulls = nulls.filter(**{"id__lt" if smaller else "id__gt": pk})
        return (nulls, grants.filter(**{f"{column}__isnull": False})) if backwards else (nulls, None)
    after = grants.filter(RawSQL(f'("grants"."{column}", "grants"."id") {op} (%s, %s)', [value, pk], BooleanField()))
    return after, (None if backwards else nulls)


def _fetch(grants: QuerySet, limit: int, *, offset: int = 0) -> list[dict]:
    return list(grants.annotate(saved=F("is_saved")).values(*LIST_COLUMNS, "saved")[offset : offset + limit])


def _read_around(grants: QuerySet, sort: str, cursor, *, backwards: bool, limit: int) -> list[dict]:
    value, pk = cursor
    first, second = _beyond(grants, sort, value, pk, backwards=backwards)
    rows = _fetch(_ordered(first, sort, backwards=backwards), limit)
    if second is not None and len(rows) < limit:
        more = _fetch(_ordered(second, sort, backwards=backwards), limit - len(rows))
        rows += more
    return rows


def _detail_url_maker():
    # One reverse() per page, not per row: the detail URL with a placeholder id, filled in per row.
    template = reverse("grants:detail", args=[987654321])
    return lambda pk: template.replace("987654321", str(pk))


def _present(rows: list[dict]) -> list[dict]:
    """Rows as the list shows them: every value already formatted, so the template only prints."""
    detail_url = _detail_url_maker()
    shown = []
    for row in rows:
        score = row["overall_composite_score"]
        shown.append(
            {
                "id": row["id"],
                "title": row["title"],
                "url": detail_url(row["id"]),
                "funder": row["funder_name"] or row["source_name"] or "",
                "score": floatformat(score, 2) if score is not None else "–",
                "high": (score or 0) >= HIGH_PRIORITY_SCORE,
                "deadline": deadline_text(row["deadline"]) or "Rolling / none",
                "funding": row["funding_display"] or "–",
                "saved": row["saved"],
            }
        )
    return shown


def grants_page(user, data, *, total: int | None = None) -> tuple[GrantFilterForm, GrantPage]:
    """One page of the user's grants as the list shows it, with the filter form.

    Reads only the columns the page shows, from the index of the chosen sort. The unfiltered count
    comes from the user's precomputed figures (or ``total``, when the caller has them); a filtered
    list counts ahead only as far as COUNT_AHEAD.
    ``data`` may carry ``page``, and ``after`` or ``before`` (a cursor from the previous page).
    """
    form = GrantFilterForm(data)
    filters = _valid_filters(form)
    sort = (filters or {}).get("sort") or "score"
    grants = Grant.objects.filter(user=user).alias(is_saved=_is_saved(user))
    filtered = False
    if filters is not None and any(filters[name] for name in filters if name != "sort"):
        filtered = True
        grants = _filter_grants(grants, filters)
    try:
        number = max(1, int(data.get("page") or 1))
    except (TypeError, ValueError):
        number = 1
    after, before = _cursor_decode(sort, data.get("after")), _cursor_decode(sort, data.get("before"))
    limit = COUNT_AHEAD + 1 if filtered else PAGE_SIZE + 1
    backwards = bool(before) and not after
    if after or before:
        rows = _read_around(
            grants, sort, after or before, backwards=backwards, limit=PAGE_SIZE + 1 if backwards else limit
        )
        number = max(number, 2)
    else:
        ordered = _ordered(grants, sort, backwards=False)
        rows = _fetch(ordered, limit, offset=(number - 1) * PAGE_SIZE)
        if not rows and number > 1:  # past the end: the last page (unfiltered) or the first, as get_page does
            if filtered:
                number = 1
            else:
                total = total if total is not None else grants.count()
                number = max(1, -(-total // PAGE_SIZE))
            rows = _fetch(ordered, limit, offset=(number - 1) * PAGE_SIZE)
    more, shown = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    if backwards:
        shown.reverse()
        has_previous, has_next = more, True
        number = number if more else 1
    else:
        has_previous, has_next = number > 1, more
    capped = False
    if filtered and backwards:
        count, capped = number * PAGE_SIZE + 1, True  # at least this page, those before, and one after
    elif filtered:
        count, capped = (number - 1) * PAGE_SIZE + min(len(rows), COUNT_AHEAD), len(rows) > COUNT_AHEAD
    else:
        if total is None:  # the user's precomputed figures: no count of their grants
            total = GrantFigures.objects.filter(user_id=user.pk).values_list("total", flat=True).first() or 0
        count = total
    rows = shown
    page = GrantPage(
        rows=_present(rows),
        number=number,
        count=count,
        count_is_lower_bound=capped,
        next_cursor=_cursor_encode(sort, rows[-1]) if rows and has_next else "",
        previous_cursor=_cursor_encode(sort, rows[0]) if rows and has_previous else "",
    )
    return form, page


# A sync that refreshed the catalog: a few details missed (PARTIAL) still refreshes the rest.
CATALOG_SYNC_COUNTS = (SearchRunStatus.SUCCESS, SearchRunStatus.PARTIAL)


def catalog_last_success_by_source() -> dict[str, datetime]:
    """When each catalog source last finished a sync that counts (``/metrics``' catalog age)."""
    rows = (
        CatalogSync.objects.filter(status__in=CATALOG_SYNC_COUNTS, finished_at__isnull=False)
        .values("source")
        .annotate(last=Max("finished_at"))
    )
    return {row["source"]: row["last"] for row in rows}


def catalog_health(*, now: datetime | None = None) -> dict:
    """/health's ``catalog``: when a Grants.gov sync last succeeded, and whether that is too long ago.

    A sync counts when it ended SUCCESS or PARTIAL (a few details missed still refreshes the
    rest). "stale" past CATALOG_STALE_AFTER_HOURS; informational, /health stays 200.
    """
    now = now or timezone.now()
    limit = settings.CATALOG_STALE_AFTER_HOURS
    last = (
        CatalogSync.objects.filter(source__startswith="grantsgov", status__in=CATALOG_SYNC_COUNTS)
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
