"""Reads shared by the Funders pages and /api/funders."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from funders.matching import FunderEvidence, Match, ProfileNeeds, score
from funders.models import Funder, FunderApproach, FunderGrant, GrantKind, SavedFunder

YEARS_CONSIDERED = 5  # the latest five tax years we hold
PRERANK_LIMIT = 300  # funders scored in Python, after the SQL pre-ranking by place and purpose


def purpose_tsquery(words) -> str:
    """``digital | literacy | ...`` for ``to_tsquery``: only plain words, so no operator injection."""
    clean = [w for w in (re.sub(r"[^a-z]", "", word.lower()) for word in words) if len(w) > 2]
    return " | ".join(dict.fromkeys(clean))


def newest_tax_year() -> int | None:
    return Funder.objects.aggregate(year=Max("tax_year"))["year"]


_EVIDENCE_SQL = """
WITH candidates AS (
    SELECT DISTINCT g.funder_id FROM funder_grants g
    WHERE g.kind = 'paid' AND g.tax_year >= %(since)s AND {candidate_filter}
)
SELECT g.funder_id,
       count(*) AS grants,
       count(*) FILTER (WHERE g.recipient_state = %(state)s) AS in_state,
       count(*) FILTER (WHERE {purpose}) AS purpose,
       count(*) FILTER (WHERE {purpose} AND g.recipient_state = %(state)s) AS purpose_in_state,
       coalesce(
           percentile_disc(0.5) WITHIN GROUP (ORDER BY g.amount) FILTER (WHERE g.recipient_state = %(state)s AND g.amount > 0),
           percentile_disc(0.5) WITHIN GROUP (ORDER BY g.amount) FILTER (WHERE g.amount > 0)
       ) AS median_amount,
       max(g.tax_year) AS latest_year,
       max(f.tax_year) AS funder_year,
       count(*) FILTER (WHERE g.recipient_state = %(state)s AND g.tax_year = f.tax_year) AS in_state_in_latest_year
FROM funder_grants g
JOIN candidates c ON c.funder_id = g.funder_id
JOIN funders f ON f.id = g.funder_id AND f.preselected_only = %(preselected)s
WHERE g.kind = 'paid' AND g.tax_year >= %(since)s
GROUP BY g.funder_id
ORDER BY 0.4 * count(*) FILTER (WHERE g.recipient_state = %(state)s) / count(*)
       + 0.3 * count(*) FILTER (WHERE {purpose}) / count(*) DESC, g.funder_id
LIMIT %(limit)s
"""  # noqa: E501


def evidence_sql(needs: ProfileNeeds, *, preselected: bool = False) -> tuple[str, dict] | None:
    """The evidence query for a profile (``None`` when the profile gives neither state nor purpose)."""
    query = purpose_tsquery(needs.terms)
    purpose = "g.search @@ to_tsquery('english', %(q)s)" if query else "false"
    if needs.state:
        candidate_filter = "g.recipient_state = %(state)s"
    elif query:
        candidate_filter = purpose
    else:
        return None
    newest = newest_tax_year()
    if newest is None:
        return None
    params = {
        "since": newest - YEARS_CONSIDERED + 1,
        "state": needs.state,
        "q": query,
        "preselected": preselected,
        "limit": PRERANK_LIMIT,
    }
    return _EVIDENCE_SQL.format(candidate_filter=candidate_filter, purpose=purpose), params


def _evidence(needs: ProfileNeeds, *, preselected: bool) -> list[FunderEvidence]:
    built = evidence_sql(needs, preselected=preselected)
    if built is None:
        return []
    sql, params = built
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        FunderEvidence(
            funder_id=row[0],
            grants=row[1],
            in_state=row[2],
            purpose=row[3],
            purpose_in_state=row[4],
            median_amount=row[5],
            latest_year=row[6],
            in_state_latest_year=row[7] if row[2] else None,
            in_state_in_latest_year=row[8],
        )
        for row in rows
    ]


def funder_matches(needs: ProfileNeeds, *, limit: int = 20) -> list[tuple[Funder, Match]]:
    """Open funders (not preselected-only), best first, each with its score and reasons."""
    newest = newest_tax_year()
    matches = [score(evidence, needs, newest_year=newest) for evidence in _evidence(needs, preselected=False)]
    matches = [m for m in matches if m.evidence.in_state or m.evidence.purpose]
    matches.sort(key=lambda m: (-m.score, m.evidence.funder_id))
    matches = matches[:limit]
    funders = Funder.objects.in_bulk([m.evidence.funder_id for m in matches])
    return [(funders[m.evidence.funder_id], m) for m in matches]


def preselected_funders_nearby(needs: ProfileNeeds, *, limit: int = 10) -> list[tuple[Funder, FunderEvidence]]:
    """Funders that paid grants like the user's but give only to organisations they pick."""
    evidence = _evidence(needs, preselected=True)[:limit]
    funders = Funder.objects.in_bulk([e.funder_id for e in evidence])
    return [(funders[e.funder_id], e) for e in evidence]


def funders_search(*, q: str = "", state: str = "", accepts_applications: bool | None = None) -> QuerySet[Funder]:
    """Funders by name (or grant purpose), state of the foundation, and whether they take applications."""
    funders = Funder.objects.all()
    q = q.strip()[:200]
    if q:
        by_purpose = FunderGrant.objects.filter(
            funder=OuterRef("pk"), search=SearchQuery(q, config="english", search_type="websearch")
        )
        funders = funders.filter(
            Q(search=SearchQuery(q, config="simple", search_type="websearch")) | Q(ein=re.sub(r"\D", "", q) or "-")
            | Exists(by_purpose)
        )  # fmt: skip
    if state:
        funders = funders.filter(state=state.strip().upper()[:2])
    if accepts_applications is not None:
        funders = funders.filter(preselected_only=not accepts_applications)
    return funders.order_by("-total_grants_paid", "name", "pk")


def funder_by_ein(ein: str) -> Funder:
    return get_object_or_404(Funder, ein=re.sub(r"\D", "", ein)[:9] or "-")


def funder_grants_filtered(funder: Funder, *, year: int | None = None, state: str = "", q: str = "") -> QuerySet:
    grants = funder.grants.filter(kind=GrantKind.PAID).order_by("-tax_year", "position", "pk")
    if year:
        grants = grants.filter(tax_year=year)
    if state:
        grants = grants.filter(recipient_state=state.strip().upper()[:100])
    if q.strip():
        grants = grants.filter(search=SearchQuery(q.strip()[:200], config="english", search_type="websearch"))
    return grants


def giving_by_year(funder: Funder) -> list[tuple[str, int]]:
    """``[(tax year, dollars paid), ...]`` oldest first: the return's Part XV 3a total as filed, or
    the sum of its listed grants when the total was left out."""
    filed = dict(funder.returns.values_list("tax_year", "total_grants_paid"))
    listed = dict(
        funder.grants.filter(kind=GrantKind.PAID).values("tax_year").annotate(total=Sum("amount"))
        .values_list("tax_year", "total")
    )  # fmt: skip
    years = sorted(set(filed) | set(listed))
    return [(str(year), filed.get(year) if filed.get(year) is not None else listed.get(year) or 0) for year in years]


def saved_funders_for_user(user) -> QuerySet[SavedFunder]:
    return SavedFunder.objects.filter(user=user).select_related("funder").order_by("-saved_at")


def approaches_for_user(user) -> QuerySet[FunderApproach]:
    return FunderApproach.objects.filter(user=user).select_related("funder")


def approach_for_user(user, pk: int) -> FunderApproach:
    return get_object_or_404(approaches_for_user(user), pk=pk)
