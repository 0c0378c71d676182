"""Reads shared by the Funders pages and /api/funders."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from funders.matching import FunderEvidence, Match, ProfileNeeds, score
from funders.models import Funder, FunderApproach, FunderGrant, GrantKind, SavedFunder

YEARS_CONSIDERED = 5  # the latest five tax years we hold
PRERANK_LIMIT = 300
MATCH_WORK_MEM = "64MB"  # funders scored in Python, after the SQL pre-ranking by place and purpose


def purpose_tsquery(words) -> str:
    """``digital | literacy | ...`` for ``to_tsquery``: only plain words, so no operator injection."""
    clean = [w for w in (re.sub(r"[^a-z]", "", word.lower()) for word in words) if len(w) > 2]
    return " | ".join(dict.fromkeys(clean))


def newest_tax_year() -> int | None:
    return Funder.objects.aggregate(year=Max("tax_year"))["year"]


# Evidence for a state: the funders that paid grants there (the state index), their in-state
# counts and median, their grants for purposes like the profile's (the GIN index, only for those
# funders), and their totals from the returns' paid-grant counts (one row per funder and year), so
# no funder's full list of grants is read. Pre-ranked by place and purpose, scored in Python.
_STATE_SQL = """
WITH in_state AS (
    SELECT g.funder_id,
           count(*) AS in_state,
           count(*) FILTER (WHERE {purpose}) AS purpose_in_state,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY g.amount) FILTER (WHERE g.amount > 0) AS median_amount,
           count(*) FILTER (WHERE g.tax_year = f.tax_year) AS in_latest_year,
           max(f.tax_year) AS funder_year
    FROM funder_grants g
    JOIN funders f ON f.id = g.funder_id AND f.preselected_only = %(preselected)s
    WHERE g.kind = 'paid' AND g.recipient_state = %(state)s AND g.tax_year >= %(since)s
    GROUP BY g.funder_id
),
purpose AS (
    SELECT g.funder_id, count(*) AS purpose
    FROM funder_grants g
    WHERE g.kind = 'paid' AND g.tax_year >= %(since)s AND {purpose}
      AND g.funder_id IN (SELECT funder_id FROM in_state)
    GROUP BY g.funder_id
),
totals AS (
    SELECT r.funder_id, sum(r.paid_grants) AS grants, max(r.tax_year) AS latest_year
    FROM funder_returns r
    WHERE r.tax_year >= %(since)s AND r.funder_id IN (SELECT funder_id FROM in_state)
    GROUP BY r.funder_id
)
SELECT s.funder_id, greatest(t.grants, s.in_state), s.in_state, coalesce(p.purpose, 0), s.purpose_in_state,
       s.median_amount, t.latest_year, s.funder_year, s.in_latest_year
FROM in_state s
JOIN totals t ON t.funder_id = s.funder_id
LEFT JOIN purpose p ON p.funder_id = s.funder_id
ORDER BY 0.4 * s.in_state / greatest(t.grants, s.in_state) + 0.3 * coalesce(p.purpose, 0) / greatest(t.grants, s.in_state)
         DESC, s.funder_id
LIMIT %(limit)s
"""

# Without a state: the funders that paid grants for purposes like the profile's (the GIN index).
_PURPOSE_SQL = """
WITH purpose AS (
    SELECT g.funder_id, count(*) AS purpose,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY g.amount) FILTER (WHERE g.amount > 0) AS median_amount
    FROM funder_grants g
    JOIN funders f ON f.id = g.funder_id AND f.preselected_only = %(preselected)s
    WHERE g.kind = 'paid' AND g.tax_year >= %(since)s AND {purpose}
    GROUP BY g.funder_id
),
totals AS (
    SELECT r.funder_id, sum(r.paid_grants) AS grants, max(r.tax_year) AS latest_year
    FROM funder_returns r
    WHERE r.tax_year >= %(since)s AND r.funder_id IN (SELECT funder_id FROM purpose)
    GROUP BY r.funder_id
)
SELECT p.funder_id, greatest(t.grants, p.purpose), 0, p.purpose, 0, p.median_amount, t.latest_year, NULL, 0
FROM purpose p
JOIN totals t ON t.funder_id = p.funder_id
ORDER BY p.purpose::numeric / greatest(t.grants, p.purpose) DESC, p.funder_id
LIMIT %(limit)s
"""


def evidence_sql(needs: ProfileNeeds, *, preselected: bool = False) -> tuple[str, dict] | None:
    """The evidence query for a profile (``None`` when the profile gives neither state nor purpose)."""
    query = purpose_tsquery(needs.terms)
    purpose = "g.search @@ to_tsquery('english', %(q)s)" if query else "false"
    if needs.state:
        template = _STATE_SQL
    elif query:
        template = _PURPOSE_SQL
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
    return template.format(purpose=purpose), params


def _evidence(needs: ProfileNeeds, *, preselected: bool) -> list[FunderEvidence]:
    built = evidence_sql(needs, preselected=preselected)
    if built is None:
        return []
    sql, params = built
    with transaction.atomic(), connection.cursor() as cursor:
        # Enough memory for exact bitmaps over the purpose matches (with the default 4MB they go
        # lossy and every row of every page is checked again: 2.3 s instead of 1 s at 5M rows).
        cursor.execute(f"SET LOCAL work_mem = '{MATCH_WORK_MEM}'")
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
    return [(str(year), _first_known(filed.get(year), listed.get(year))) for year in years]


def _first_known(*amounts: int | None) -> int:
    return next((amount for amount in amounts if amount is not None), 0)


def saved_funders_for_user(user) -> QuerySet[SavedFunder]:
    return SavedFunder.objects.filter(user=user).select_related("funder").order_by("-saved_at")


def approaches_for_user(user) -> QuerySet[FunderApproach]:
    return FunderApproach.objects.filter(user=user).select_related("funder")


def approach_for_user(user, pk: int) -> FunderApproach:
    return get_object_or_404(approaches_for_user(user), pk=pk)
