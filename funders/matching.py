"""Which foundations to approach, judged by what they actually paid: pure functions, no database.

A funder's evidence (``FunderEvidence``, counted in SQL by ``funders.selectors.funder_matches``)
is scored on four parts, each 0..1, weighted and summed:

- place, 0.4: the share of its grants paid in the user's state (the strongest predictor of a
  funder giving to an applicant, with the sector);
- purpose, 0.3: the share of its grants whose purposes match the user's work (full text);
- size, 0.2: its typical (median) grant against the user's yearly budget;
- recency, 0.1: how recent its latest filing is, against the newest filing we hold.

Funders that give only to preselected organisations are never scored as open doors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from grants.criteria import dollars
from grants.scoring import US_STATES, revenue_estimate, states_named, terms

WEIGHTS = {"place": 0.4, "purpose": 0.3, "size": 0.2, "recency": 0.1}
MAX_QUERY_TERMS = 12
STATE_CODES = {name: code for code, name in US_STATES.items()}


@dataclass(frozen=True)
class ProfileNeeds:
    state: str = ""  # two-letter code
    terms: tuple[str, ...] = ()
    budget: int | None = None  # yearly, in dollars

    @property
    def state_name(self) -> str:
        return US_STATES.get(self.state, self.state)


@dataclass(frozen=True)
class FunderEvidence:
    funder_id: int
    grants: int  # paid grants counted (the years considered)
    in_state: int
    purpose: int  # grants whose purpose matches the profile's terms
    purpose_in_state: int
    median_amount: int | None  # of the in-state grants, else of all
    latest_year: int | None
    in_state_latest_year: int | None = None
    in_state_in_latest_year: int = 0


@dataclass
class Match:
    evidence: FunderEvidence
    score: float
    parts: dict[str, float]
    reasons: list[str] = field(default_factory=list)


def profile_needs(profile) -> ProfileNeeds:
    """The state, purpose words and budget a business profile gives (any of them may be missing)."""
    if profile is None:
        return ProfileNeeds()
    focus = profile.geographic_focus or ""
    names = sorted(states_named(focus))
    codes = [code for code in re.findall(r"\b([A-Z]{2})\b", focus) if code in US_STATES]
    state = STATE_CODES[names[0]] if names else (codes[0] if codes else "")
    words = " ".join(
        [*(profile.target_sectors or []), profile.mission_statement or "", profile.service_description or ""]
    )
    found = sorted(terms(words), key=lambda word: (-len(word), word))[:MAX_QUERY_TERMS]
    return ProfileNeeds(state=state, terms=tuple(sorted(found)), budget=revenue_estimate(profile.revenue_range or ""))


def size_fit(median: int | None, budget: int | None) -> float:
    """1.0 when the typical grant is 1-25% of the budget; less when it is tiny or outsized."""
    if not median or not budget:
        return 0.5
    ratio = median / budget
    if 0.01 <= ratio <= 0.25:
        return 1.0
    if ratio < 0.01:
        return 0.5
    if ratio <= 0.5:
        return 0.6
    return 0.2


def recency_fit(latest_year: int | None, newest_year: int | None) -> float:
    if not latest_year or not newest_year:
        return 0.0
    behind = newest_year - latest_year
    return {0: 1.0, 1: 0.6, 2: 0.3}.get(behind, 0.0) if behind >= 0 else 1.0


def score(evidence: FunderEvidence, needs: ProfileNeeds, *, newest_year: int | None) -> Match:
    total = evidence.grants or 0
    parts = {
        "place": evidence.in_state / total if total and needs.state else 0.0,
        "purpose": evidence.purpose / total if total and needs.terms else 0.0,
        "size": size_fit(evidence.median_amount, needs.budget),
        "recency": recency_fit(evidence.latest_year, newest_year),
    }
    value = round(sum(WEIGHTS[name] * parts[name] for name in WEIGHTS), 4)
    reasons = []
    if needs.state:
        if evidence.in_state:
            where = f"{evidence.in_state} of its {total} grants went to {needs.state_name}"
            if evidence.in_state_latest_year:
                where += f" ({evidence.in_state_in_latest_year} in {evidence.in_state_latest_year})"
            reasons.append(where + ".")
        else:
            reasons.append(f"None of its {total} grants went to {needs.state_name}.")
    if needs.terms:
        if evidence.purpose:
            text = f"{evidence.purpose} for purposes like yours"
            if needs.state and evidence.purpose_in_state:
                text += f", {evidence.purpose_in_state} of them in {needs.state_name}"
            reasons.append(text + ".")
        else:
            reasons.append("No grant purposes like yours.")
    if evidence.median_amount:
        text = f"Median grant {dollars(evidence.median_amount)}"
        if needs.budget:
            text += f", {evidence.median_amount / needs.budget:.0%} of your yearly budget of {dollars(needs.budget)}"
        reasons.append(text + ".")
    if evidence.latest_year:
        reasons.append(f"Latest filing: tax year {evidence.latest_year}.")
    return Match(evidence=evidence, score=value, parts=parts, reasons=reasons)
