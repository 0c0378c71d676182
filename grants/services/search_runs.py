"""Search runs: find catalog opportunities for a user, score them, keep the new ones as grants."""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.db import transaction
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from billing.exceptions import UsageLimitReached
from billing.services.usage import usage_consume_search, usage_refund_search
from grants import scoring
from grants.criteria import SearchCriteria, dollars
from grants.deadlines import DEADLINE_ZONE, deadline_day, deadline_from_date
from grants.models import Grant, Opportunity, OpportunitySource, SearchRun, SearchRunStatus, SearchRunType
from grants.selectors import opportunity_facts, opportunity_search, profile_facts
from grants.services.catalog import SyncCounter, catalog_upsert
from grants.sources import grantsgov

logger = logging.getLogger(__name__)

__all__ = [
    "UsageLimitReached",
    "search_run_start",
    "search_run_execute",
    "search_run_interrupted",
    "search_runs_fail_stale",
]

MAX_MATCHES = 200
STALE_AFTER = timedelta(minutes=30)


def search_run_start(
    *, user, criteria: SearchCriteria, run_type: str = SearchRunType.MANUAL, now: datetime | None = None
) -> SearchRun:
    """Take one search from the allowance and queue the run; raises ``UsageLimitReached``."""
    from grants.tasks import execute_search_run

    with transaction.atomic():
        usage_consume_search(user=user)
        run = SearchRun.objects.create(
            user=user,
            timestamp=now or timezone.now(),
            run_type=run_type,
            status=SearchRunStatus.IN_PROGRESS,
            search_query=criteria.keywords,
            search_filters=criteria.as_dict(),
            user_triggered=run_type == SearchRunType.MANUAL,
            grants_found=0,
            high_priority=0,
            api_calls_made=0,
        )
        transaction.on_commit(lambda: execute_search_run.enqueue(run.pk))
    return run


def _deadline(opportunity: Opportunity) -> datetime | None:
    return deadline_from_date(opportunity.close_date)


def _funding_display(opportunity: Opportunity) -> str:
    floor, ceiling = opportunity.award_floor, opportunity.award_ceiling
    if floor and ceiling:
        return f"{dollars(floor)} – {dollars(ceiling)}"
    if ceiling:
        return f"Up to {dollars(ceiling)}"
    if floor:
        return f"From {dollars(floor)}"
    return "Not stated"


def grant_from_opportunity(*, user, opportunity: Opportunity, card: scoring.ScoreCard, keywords: list[str]) -> Grant:
    """An unsaved Grant for ``user`` holding the opportunity and its scores."""
    dims = card.dimensions
    states = sorted(scoring.states_named(f"{opportunity.title} {opportunity.description_text}"))
    return Grant(
        user=user,
        opportunity=opportunity,
        title=opportunity.title,
        description=opportunity.description_text,
        funding_amount=opportunity.award_ceiling,
        funding_min=opportunity.award_floor,
        funding_max=opportunity.award_ceiling,
        funding_display=_funding_display(opportunity),
        deadline=_deadline(opportunity),
        open_date=datetime.combine(opportunity.post_date, clock(0, 0), tzinfo=DEADLINE_ZONE)
        if opportunity.post_date
        else None,
        source_url=opportunity.url,
        source_name=OpportunitySource(opportunity.source).label,
        external_id=opportunity.external_id,
        funder_name=opportunity.agency_name,
        geographic_scope=", ".join(states) if states else "National",
        categories=list(opportunity.categories),
        keywords=keywords,
        overall_composite_score=card.composite,
        **{f"{dimension.name}_score": dims[dimension.name].score for dimension in scoring.SCORE_DIMENSIONS},
        score_reasons=card.reasons(),
    )


def opportunities_score(*, user, opportunities, today: date) -> list[tuple[Opportunity, scoring.ScoreCard]]:
    """Each opportunity with its score card against the user's profile, in the given order."""
    profile = profile_facts(user)
    weights = settings.GRANT_SCORE_WEIGHTS
    return [
        (opportunity, scoring.score_opportunity(profile, opportunity_facts(opportunity), today=today, weights=weights))
        for opportunity in opportunities
    ]


def _normalised_title() -> Func:
    """Lower case with runs of white space as one space, as ``_title_key`` does in Python."""
    return Lower(
        Trim(
            Func(F("title"), Value(r"\s+"), Value(" "), Value("g"), function="regexp_replace", output_field=TextField())
        )
    )


def _title_key(title: str, deadline: datetime | None) -> tuple[str, date | None]:
    return (" ".join(title.lower().split()), deadline_day(deadline) if deadline else None)


def grants_add_new(*, user, candidates: list[tuple[Opportunity, scoring.ScoreCard]], keywords: list[str]) -> int:
    """Save the candidates the user does not have yet; a duplicate is the same opportunity, the
    same source URL, or the same title with the same deadline."""
    if not candidates:
        return 0
    new = [grant_from_opportunity(user=user, opportunity=o, card=c, keywords=keywords) for o, c in candidates]
    existing = (
        Grant.objects.filter(user=user)
        .annotate(title_key=_normalised_title())
        .filter(
            Q(opportunity_id__in=[g.opportunity_id for g in new])
            | Q(source_url__in=[g.source_url for g in new if g.source_url])
            | Q(title_key__in=[_title_key(g.title, None)[0] for g in new])
        )
    )
    have_opportunities: set[int | None] = set()
    have_urls: set[str | None] = set()
    have_titles: set[tuple] = set()
    for opportunity_id, url, title, deadline in existing.values_list(
        "opportunity_id", "source_url", "title", "deadline"
    ):
        have_opportunities.add(opportunity_id)
        have_urls.add(url)
        have_titles.add(_title_key(title, deadline))
    to_create = []
    for grant in new:
        key = _title_key(grant.title, grant.deadline)
        if grant.opportunity_id in have_opportunities or grant.source_url in have_urls or key in have_titles:
            continue
        have_opportunities.add(grant.opportunity_id)
        have_urls.add(grant.source_url)
        have_titles.add(key)
        to_create.append(grant)
    Grant.objects.bulk_create(to_create)
    return len(to_create)


def _live_search(*, criteria: SearchCriteria, today: date) -> tuple[int, list[str]]:
    """Ask Grants.gov for the keywords and add what the catalog lacks. (API calls, errors)."""
    client = grantsgov.GrantsGovClient()
    errors: list[str] = []
    try:
        hits = list(client.iter_hits(keyword=criteria.keywords, limit=settings.GRANTSGOV_LIVE_FETCH_LIMIT * 4))
    except grantsgov.GrantsGovError as exc:
        return client.calls, [str(exc)]
    known = set(
        Opportunity.objects.filter(
            source=OpportunitySource.GRANTSGOV, external_id__in=[str(h["id"]) for h in hits]
        ).values_list("external_id", flat=True)
    )
    missing = [h for h in hits if str(h["id"]) not in known][: settings.GRANTSGOV_LIVE_FETCH_LIMIT]
    records = []
    for hit in missing:
        try:
            detail = client.fetch(str(hit["id"]))
        except grantsgov.GrantsGovError as exc:
            errors.append(str(exc))
            continue
        records.append(grantsgov.record_from_detail(detail) if detail else grantsgov.record_from_hit(hit))
    from grants.models import CatalogSync

    counter = SyncCounter(CatalogSync(source="search-run"))
    catalog_upsert(records=records, counter=counter, today=today)
    return client.calls, errors


def search_run_execute(*, run_id: int) -> SearchRun:
    """Do the work of a queued run; the run always ends SUCCESS, PARTIAL or FAILED."""
    run = SearchRun.objects.select_related("user").get(pk=run_id)
    if run.status != SearchRunStatus.IN_PROGRESS:
        return run
    started = time.monotonic()
    criteria = SearchCriteria.from_dict(run.search_filters)
    today = timezone.localdate()
    errors: list[str] = []
    run.sources_searched = 1
    try:
        if settings.GRANTSGOV_LIVE_SEARCH and criteria.keywords:
            run.sources_searched = 2
            calls, errors = _live_search(criteria=criteria, today=today)
            run.api_calls_made = calls
            run.save(update_fields=["sources_searched", "api_calls_made"])
        scored_at = time.monotonic()
        candidates = opportunities_score(
            user=run.user, opportunities=opportunity_search(criteria=criteria, today=today)[:MAX_MATCHES], today=today
        )
        keywords = criteria.keywords.split()
        with transaction.atomic():
            if not _still_in_progress(run):
                # Declared interrupted (and refunded) while this worker was stalled: its late
                # result is discarded rather than resurrecting the run.
                return run
            added = grants_add_new(user=run.user, candidates=candidates, keywords=keywords)
            run.processing_time_ms = int((time.monotonic() - scored_at) * 1000)
            run.grants_found = len(candidates)
            run.high_priority = sum(1 for _, card in candidates if card.is_high_priority)
            run.status = SearchRunStatus.PARTIAL if errors else SearchRunStatus.SUCCESS
            run.error_message = f"Grants.gov could not be searched fully: {errors[0]}" if errors else None
            run.error_details = {"grantsgov": errors, "new_grants": added} if errors else {"new_grants": added}
            run.duration_seconds = round(time.monotonic() - started, 3)
            run.save()
    except Exception as exc:  # the run must never stay IN_PROGRESS
        logger.exception("search run %s failed", run.pk)
        with transaction.atomic():
            if _still_in_progress(run):
                run.status = SearchRunStatus.FAILED
                run.error_message = "The search could not be completed; your search allowance was given back."
                run.error_details = {"type": exc.__class__.__name__, "detail": str(exc)[:2000], "grantsgov": errors}
                run.duration_seconds = round(time.monotonic() - started, 3)
                run.save()
                usage_refund_search(user=run.user)
    return run


def _still_in_progress(run: SearchRun) -> bool:
    """Locks the run's row (inside a transaction) and says whether nobody has ended it meanwhile."""
    status = SearchRun.objects.select_for_update().values_list("status", flat=True).get(pk=run.pk)
    return status == SearchRunStatus.IN_PROGRESS


def search_runs_fail_stale(*, now: datetime | None = None, user=None) -> int:
    """Runs still in progress after STALE_AFTER are failed (and refunded) instead of spinning forever.

    The safety net behind ``fail_stale_tasks`` (a run whose task no worker ever claimed, or whose
    worker's death went unnoticed): each goes through ``search_run_interrupted``, the one way a run
    is declared interrupted. With ``user``, only theirs (cheap enough for a page view: it uses the
    runs' user index).
    """
    now = now or timezone.now()
    runs = SearchRun.objects.filter(user=user) if user is not None else SearchRun.objects.all()
    stale = list(runs.filter(status=SearchRunStatus.IN_PROGRESS, timestamp__lt=now - STALE_AFTER))
    for run in stale:
        with transaction.atomic():
            search_run_interrupted(
                run_id=run.pk,
                reason=f"still in progress {STALE_AFTER} after it started at {run.timestamp:%Y-%m-%d %H:%M}",
            )
    return len(stale)


def search_run_interrupted(*, run_id: int, reason: str) -> None:
    """The worker running this search died mid-run: fail it, give the search back.

    The one path for interrupted runs: ``fail_stale_tasks`` calls it (inside the transaction that
    fails the task) when the worker stopped beating, ``search_runs_fail_stale`` when a run outlived
    STALE_AFTER. ``reason`` is for operators and goes in ``error_details``; the user reads
    ``error_message``.
    """
    run = (
        SearchRun.objects.select_for_update()
        .select_related("user")
        .filter(pk=run_id, status=SearchRunStatus.IN_PROGRESS)
        .first()
    )
    if run is None:
        return
    run.status = SearchRunStatus.FAILED
    run.error_message = (
        "The search was interrupted because the server running it stopped; your search allowance was given back."
    )
    run.error_details = {"type": "WorkerLost", "detail": reason}
    run.save(update_fields=["status", "error_message", "error_details"])
    usage_refund_search(user=run.user)


def search_runs_start_scheduled(*, now: datetime | None = None) -> tuple[int, int]:
    """Start each due scheduled search: the criteria of the user's last search, or their profile's.

    Returns (started, skipped for a spent allowance).
    """
    from accounts.models import UserSettings
    from grants.schedule import is_due
    from profiles.selectors import profile_for_user

    now = now or timezone.now()
    started = skipped = 0
    due_settings = UserSettings.objects.filter(schedule_frequency__isnull=False, user__is_active=True).select_related(
        "user"
    )
    for user_settings in due_settings:
        user = user_settings.user
        last = SearchRun.objects.filter(user=user, run_type=SearchRunType.SCHEDULED).order_by("-timestamp").first()
        if not is_due(
            frequency=user_settings.schedule_frequency,
            days=user_settings.schedule_days,
            at=user_settings.schedule_time,
            now=now,
            last_run=last.timestamp if last else None,
        ):
            continue
        manual = SearchRun.objects.filter(user=user, run_type=SearchRunType.MANUAL).order_by("-timestamp").first()
        if manual and manual.search_filters:
            criteria = SearchCriteria.from_dict(manual.search_filters)
        else:
            criteria = SearchCriteria.from_profile(profile_for_user(user=user))
        try:
            search_run_start(user=user, criteria=criteria, run_type=SearchRunType.SCHEDULED, now=now)
            started += 1
        except UsageLimitReached:
            skipped += 1
    return started, skipped
