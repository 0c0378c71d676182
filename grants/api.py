"""/api/grants and /api/search-runs: the same selectors and services as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from accounts.throttling import throttle_hit
from core.api_errors import UsageLimitOut
from grants import selectors
from grants.criteria import SearchCriteria
from grants.schemas import ErrorOut, GrantOut, GrantPageOut, GrantSummaryOut, SavedOut, SearchRunIn, SearchRunOut
from grants.scoring import DIMENSIONS, HIGH_PRIORITY_SCORE
from grants.services.saving import grant_unsave, grants_save
from grants.services.search_runs import search_run_start

router = Router(tags=["grants"])
MAX_PAGE_SIZE = 100
SUMMARY_COLUMNS = [name for name in GrantSummaryOut.model_fields if name not in ("is_high_priority", "is_saved")]


class GrantFilters(Schema):
    q: str = ""
    category: str = ""
    min_score: float | None = None
    deadline_within: int | None = None
    status: str = ""
    saved: bool = False
    sort: str = "score"
    page: int = 1
    page_size: int = 25


def _grant_for_user(request, grant_id: int):
    return get_object_or_404(selectors.grants_for_user(request.user).select_related("opportunity"), pk=grant_id)


def _grant_out(grant) -> dict:
    reasons = grant.score_reasons or {}
    return {
        **{field: getattr(grant, field) for field in GrantOut.model_fields if hasattr(grant, field)},
        "is_high_priority": grant.is_high_priority,
        "categories": grant.categories or [],
        "breakdown": [
            {"name": name, "score": getattr(grant, f"{name}_score"), "reasons": reasons.get(name, [])}
            for name in DIMENSIONS
        ],
        "opportunity": grant.opportunity,
    }


@router.get("/grants", response={200: GrantPageOut, 400: ErrorOut})
def grant_list(request, filters: Query[GrantFilters]):
    data = filters.dict()
    page_number, page_size = data.pop("page"), min(max(data.pop("page_size"), 1), MAX_PAGE_SIZE)
    data["saved"] = "on" if data["saved"] else ""
    form, grants = selectors.grants_filtered(request.user, {k: v for k, v in data.items() if v not in (None, "")})
    if form.errors:
        return Status(
            400,
            {"detail": "; ".join(f"{field}: {' '.join(map(str, errors))}" for field, errors in form.errors.items())},
        )
    count = selectors.grants_filtered_count(request.user, form, grants)
    pages = max(1, -(-count // page_size))
    number = min(max(page_number, 1), pages)
    # Only the summary's columns, as plain rows: no model instances, no per-row lookups.
    rows = grants.values(*SUMMARY_COLUMNS, "is_saved")[(number - 1) * page_size : number * page_size]
    results = [
        {
            **row,
            "is_high_priority": (row["overall_composite_score"] or 0) >= HIGH_PRIORITY_SCORE,
            "categories": row["categories"] or [],
        }
        for row in rows
    ]
    return {"count": count, "page": number, "pages": pages, "results": results}


@router.get("/grants/{grant_id}", response=GrantOut)
def grant_detail(request, grant_id: int):
    return _grant_out(_grant_for_user(request, grant_id))


@router.post("/grants/{grant_id}/save", response=SavedOut)
def grant_save_route(request, grant_id: int):
    grant = _grant_for_user(request, grant_id)
    grants_save(user=request.user, grant_ids=[grant.pk])
    return {"id": grant.pk, "is_saved": True}


@router.delete("/grants/{grant_id}/save", response=SavedOut)
def grant_unsave_route(request, grant_id: int):
    grant = _grant_for_user(request, grant_id)
    grant_unsave(user=request.user, grant=grant)
    return {"id": grant.pk, "is_saved": False}


@router.post("/search-runs", response={202: SearchRunOut, 400: ErrorOut, 402: UsageLimitOut})
def search_run_create(request, payload: SearchRunIn):
    criteria = SearchCriteria(**payload.dict())
    criteria.keywords = criteria.keywords.strip()
    problems = criteria.problems()  # the search form's own check
    if problems:
        return Status(400, {"detail": "; ".join(f"{name}: {problem}" for name, problem in problems.items())})
    throttle_hit(user=request.user, scope="search_run")  # 429 past the rate limit
    run = search_run_start(user=request.user, criteria=criteria)  # 402 when the allowance is spent
    return Status(202, selectors.search_run_data(run))


@router.get("/search-runs/{run_id}", response=SearchRunOut)
def search_run_detail(request, run_id: int):
    return selectors.search_run_data(get_object_or_404(selectors.search_runs_for_user(user=request.user), pk=run_id))
