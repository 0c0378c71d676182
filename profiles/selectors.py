"""Shared reads of profiles, documents and passages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet

from profiles.models import BusinessProfile, Document, Passage

# Query terms beyond this add little to the ranking and make the query slow to plan.
MAX_QUERY_TERMS = 60
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class RankedPassage:
    id: int
    source_label: str
    text: str
    rank: float


def profile_for_user(*, user) -> BusinessProfile | None:
    return BusinessProfile.objects.filter(user=user).first()


def documents_for_user(*, user) -> QuerySet[Document]:
    return Document.objects.filter(profile__user=user)


def query_terms(text: str, *, limit: int = MAX_QUERY_TERMS) -> list[str]:
    """The distinct words of ``text`` in order, safe to put into a raw tsquery."""
    seen: dict[str, None] = {}
    for word in _WORD.findall((text or "").lower()):
        if len(word) > 1 and not word.isdigit():
            seen.setdefault(word, None)
        if len(seen) >= limit:
            break
    return list(seen)


def _any_of(terms: list[str]) -> SearchQuery:
    # Words only (see ``query_terms``), so the raw OR-query cannot be malformed.
    return SearchQuery(" | ".join(terms), search_type="raw", config="english")


def passage_search(
    *, profile: BusinessProfile, terms: list[str], boost_terms: Sequence[str] = (), limit: int = 3
) -> list[RankedPassage]:
    """The profile's passages that share most words with ``terms``, best first.

    ``terms`` (what the passage should be about) rank fully; ``boost_terms`` (the purpose of the
    section being written) break ties at half weight. A passage must match at least one term.
    """
    terms = [term for term in terms if term]
    boost_terms = [term for term in boost_terms if term]
    if not terms and not boost_terms:
        return []
    everything = _any_of(terms + boost_terms)
    ranks: list[Any] = []
    if terms:
        ranks.append(SearchRank(F("search"), _any_of(terms)))
    if boost_terms:
        ranks.append(0.5 * SearchRank(F("search"), _any_of(boost_terms)))
    rank = ranks[0] if len(ranks) == 1 else ranks[0] + ranks[1]
    rows = (
        Passage.objects.filter(profile=profile, search=everything)
        .annotate(rank=rank)
        .order_by("-rank", "document_id", "position")
        .values("id", "source_label", "text", "rank")[:limit]
    )
    return [RankedPassage(**row) for row in rows]
