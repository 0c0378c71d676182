"""How well an opportunity fits a grant seeker's profile: six dimensions, each 0..1 with reasons.

Pure functions over two plain snapshots (no database, no clock: ``today`` is passed in), so
every figure can be checked by hand. The composite is the weighted mean of the dimensions with
the weights from ``settings.GRANT_SCORE_WEIGHTS``; 0.7 or more is high priority.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from grants.criteria import (
    ELIGIBILITY_LABELS,
    ORGANIZATION_ELIGIBILITY,
    OTHERS,
    SECTOR_CATEGORIES,
    UNRESTRICTED,
    dollars,
    labels,
)

# The score bands: a composite of HIGH_PRIORITY_SCORE or more is high priority, of MEDIUM_SCORE or more medium.
HIGH_PRIORITY_SCORE = 0.7
MEDIUM_SCORE = 0.4

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida",
    "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
}  # fmt: skip
_STATE_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(n) for n in sorted(US_STATES.values(), key=len, reverse=True)) + r")\b"
)
# "Washington" alone is as often the capital as the state; "Virginia" is inside "West Virginia".
_INTERNATIONAL = re.compile(r"\b(international|foreign|overseas|countries)\b", re.IGNORECASE)

STOPWORDS = set(
    "the and for with that this from are our will have has its into their they them than then which "
    "who whom what when where how all any each other such can may must not but also about more most "
    "been being was were these those under over per via upon within without program programs project "
    "projects grant grants funding fund funds award awards applicant applicants application support "
    "provide provides services service organization organizations eligible including include".split()
)  # fmt: skip


@dataclass(frozen=True)
class ProfileFacts:
    sectors: tuple[str, ...] = ()
    geographic_focus: str = ""
    organization_type: str = ""
    revenue_range: str = ""
    team_size: int | None = None
    mission: str = ""
    services: str = ""
    narrative: str = ""


@dataclass(frozen=True)
class OpportunityFacts:
    title: str = ""
    text: str = ""  # description and eligibility notes, plain text
    categories: tuple[str, ...] = ()
    eligible_applicants: tuple[str, ...] = ()
    award_ceiling: int | None = None
    award_floor: int | None = None
    cost_sharing: bool | None = None
    close_date: date | None = None
    is_rolling: bool = False
    is_forecast: bool = False


@dataclass(frozen=True)
class Dimension:
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoreCard:
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    composite: float = 0.0

    @property
    def is_high_priority(self) -> bool:
        return self.composite >= HIGH_PRIORITY_SCORE

    def reasons(self) -> dict[str, list[str]]:
        return {name: list(dim.reasons) for name, dim in self.dimensions.items()}


def _clamp(value: float) -> float:
    return round(max(0.0, min(1.0, value)), 4)


def sector_relevance(profile: ProfileFacts, opp: OpportunityFacts) -> Dimension:
    """1.0 when a profile sector matches a funding category, 0.6 when only the text mentions it."""
    if not profile.sectors:
        return Dimension(0.5, ("Add sectors to your profile to rank by sector.",))
    text = f"{opp.title} {opp.text}".lower()
    best, reasons = 0.0, []
    for sector in profile.sectors:
        codes, words = SECTOR_CATEGORIES.get(sector.strip().lower(), (set(), (sector.strip().lower(),)))
        if codes & set(opp.categories):
            best = max(best, 1.0)
            reasons.append(f"{sector}: a funding category of this opportunity")
        elif any(word in text for word in words):
            best = max(best, 0.6)
            reasons.append(f"{sector}: mentioned in the description")
    if not reasons:
        return Dimension(0.0, ("None of your sectors appears in its categories or text.",))
    return Dimension(best, tuple(reasons))


def states_named(text: str) -> set[str]:
    found = set(_STATE_PATTERN.findall(text))
    if "West Virginia" in found and text.count("Virginia") == text.count("West Virginia"):
        found.discard("Virginia")
    return found


def _profile_states(focus: str) -> set[str]:
    states = states_named(focus)
    for code in re.findall(r"\b([A-Z]{2})\b", focus):
        if code in US_STATES:
            states.add(US_STATES[code])
    return states


def geographic_relevance(profile: ProfileFacts, opp: OpportunityFacts) -> Dimension:
    """Places named in the opportunity against the profile's geography; none named = national."""
    text = f"{opp.title} {opp.text}"
    named = states_named(text)
    home = _profile_states(profile.geographic_focus)
    if not profile.geographic_focus.strip():
        return Dimension(0.5, ("Add a geographic focus to your profile to rank by place.",))
    if home & named:
        return Dimension(1.0, (f"Names your area: {', '.join(sorted(home & named))}",))
    if named:
        return Dimension(0.2, (f"Aimed at other places: {', '.join(sorted(named)[:4])}",))
    if _INTERNATIONAL.search(text):
        return Dimension(0.3, ("Looks international in scope.",))
    return Dimension(0.7, ("National scope: no place is named.",))


def operational_alignment(profile: ProfileFacts, opp: OpportunityFacts) -> Dimension:
    """The profile's organisation type against the eligible-applicant codes."""
    if not profile.organization_type:
        return Dimension(0.5, ("Add your organisation type to your profile to check eligibility.",))
    codes = set(opp.eligible_applicants)
    if not codes:
        return Dimension(0.5, ("Eligibility is not stated; read the notice.",))
    if UNRESTRICTED in codes:
        return Dimension(1.0, ("Open to any applicant (unrestricted).",))
    admitted = ORGANIZATION_ELIGIBILITY.get(profile.organization_type, set()) & codes
    if admitted:
        names = "; ".join(labels(sorted(admitted), ELIGIBILITY_LABELS))
        return Dimension(1.0, (f"Your organisation type is eligible ({names}).",))
    if OTHERS in codes:
        return Dimension(0.4, ("Only 'other' applicants are listed: check the eligibility notes.",))
    return Dimension(0.0, ("Your organisation type is not among the eligible applicants.",))


def revenue_estimate(revenue_range: str) -> int | None:
    """The top of a range such as "$250k-$1M" or "under $100,000", in dollars."""
    amounts = []
    for number, unit in re.findall(r"(\d+(?:[.,]\d+)*)\s*([kKmMbB]?)", revenue_range or ""):
        value = float(number.replace(",", ""))
        value *= {"k": 1e3, "m": 1e6, "b": 1e9}.get(unit.lower(), 1)
        amounts.append(int(value))
    return max(amounts) if amounts else None


def business_logic_alignment(profile: ProfileFacts, opp: OpportunityFacts) -> Dimension:
    """Award size against annual revenue (or team size), less 0.2 if cost sharing is required."""
    award = opp.award_ceiling or opp.award_floor
    revenue = revenue_estimate(profile.revenue_range)
    basis = "revenue"
    if revenue is None and profile.team_size:
        revenue, basis = profile.team_size * 100_000, "team size"  # about $100k a head
    reasons = []
    if not award or not revenue:
        score = 0.5
        reasons.append("Award size or your revenue is unknown.")
    else:
        ratio = award / revenue
        if ratio <= 0.5:
            score = 1.0
        elif ratio <= 1:
            score = 0.7
        elif ratio <= 3:
            score = 0.4
        else:
            score = 0.2
        reasons.append(f"Award up to {dollars(award)} is {ratio:.2g}× your {basis} estimate of {dollars(revenue)}.")
    if opp.cost_sharing:
        score -= 0.2
        reasons.append("Requires cost sharing or matching funds.")
    return Dimension(_clamp(score), tuple(reasons))


def feasibility(opp: OpportunityFacts, *, today: date) -> Dimension:
    """Time left to apply: a month to three is ideal; forecasts give lead time."""
    if opp.is_rolling:
        return Dimension(0.8, ("Rolling deadline: apply any time.",))
    if opp.close_date is None:
        if opp.is_forecast:
            return Dimension(0.6, ("Forecast: no deadline yet, time to prepare.",))
        return Dimension(0.5, ("No deadline given.",))
    days = (opp.close_date - today).days
    if days < 0:
        return Dimension(0.0, ("Closed.",))
    if days < 7:
        score = 0.2
    elif days < 14:
        score = 0.4
    elif days < 30:
        score = 0.7
    elif days <= 90:
        score = 1.0
    else:
        score = 0.9
    prefix = "Forecast, expected to close" if opp.is_forecast else "Closes"
    return Dimension(score, (f"{prefix} in {days} days.",))


def terms(text: str) -> set[str]:
    """Content words, lower case, with a plural -s dropped."""
    words = set()
    for word in re.findall(r"[a-z][a-z-]{2,}", (text or "").lower()):
        word = word.strip("-")
        if word in STOPWORDS or len(word) < 3:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return words


def strategic_synergy(profile: ProfileFacts, opp: OpportunityFacts) -> Dimension:
    """Cosine similarity of the two term sets, doubled and capped at 1 (texts rarely share much)."""
    mine = terms(f"{profile.mission} {profile.services} {profile.narrative}")
    theirs = terms(f"{opp.title} {opp.text}")
    if not mine:
        return Dimension(0.5, ("Add a mission and services to your profile to compare texts.",))
    if not theirs:
        return Dimension(0.0, ("The opportunity has no text to compare.",))
    shared = mine & theirs
    similarity = len(shared) / math.sqrt(len(mine) * len(theirs))
    if not shared:
        return Dimension(0.0, ("No words in common with your mission and services.",))
    return Dimension(_clamp(2 * similarity), (f"Shared terms: {', '.join(sorted(shared)[:8])}",))


def composite(scores: dict[str, float], weights: dict[str, float]) -> float:
    total = sum(weights.get(name, 0) for name in scores)
    if not total:
        return 0.0
    return _clamp(sum(score * weights.get(name, 0) for name, score in scores.items()) / total)


@dataclass(frozen=True)
class ScoreDimension:
    """One row of the table every reader of scores shares (scoring, pages, API, settings, tests).

    ``name`` is also the stem of the grant's ``<name>_score`` column; ``weight`` is the default
    in ``settings.GRANT_SCORE_WEIGHTS``.
    """

    name: str
    label: str
    scorer: Callable[[ProfileFacts, OpportunityFacts, date], Dimension]
    weight: float


SCORE_DIMENSIONS = (
    ScoreDimension("sector_relevance", "Sector relevance", lambda p, o, today: sector_relevance(p, o), 0.25),
    ScoreDimension(
        "geographic_relevance", "Geographic relevance", lambda p, o, today: geographic_relevance(p, o), 0.15
    ),
    ScoreDimension(
        "operational_alignment", "Operational alignment", lambda p, o, today: operational_alignment(p, o), 0.20
    ),
    ScoreDimension(
        "business_logic_alignment",
        "Business-logic alignment",
        lambda p, o, today: business_logic_alignment(p, o),
        0.10,
    ),
    ScoreDimension("feasibility", "Feasibility", lambda p, o, today: feasibility(o, today=today), 0.15),
    ScoreDimension("strategic_synergy", "Strategic synergy", lambda p, o, today: strategic_synergy(p, o), 0.15),
)
DIMENSIONS = tuple(dimension.name for dimension in SCORE_DIMENSIONS)
DIMENSION_LABELS = {dimension.name: dimension.label for dimension in SCORE_DIMENSIONS}


def default_weights() -> dict[str, float]:
    """Each dimension's weight as the table gives it: the default of settings.GRANT_SCORE_WEIGHTS."""
    return {dimension.name: dimension.weight for dimension in SCORE_DIMENSIONS}


def score_opportunity(profile: ProfileFacts, opp: OpportunityFacts, *, today: date, weights: dict) -> ScoreCard:
    dimensions = {dimension.name: dimension.scorer(profile, opp, today) for dimension in SCORE_DIMENSIONS}
    return ScoreCard(dimensions, composite({n: d.score for n, d in dimensions.items()}, weights))
