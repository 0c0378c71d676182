"""Funder matching on the fixture of conftest.py, every figure worked out by hand.

Profile: Louisiana, "digital literacy classes for adults in rural parishes", budget $250,000
(the top of "$100k-$250k"). Newest filing held: tax year 2022.

Bayou (2022): 8 grants, 5 in LA -> place 5/8 = 0.625. Purposes matching (digital | literacy | class
| ...): "DIGITAL LITERACY CLASSES FOR SENIORS", "DIGITAL LITERACY" (LA) and "DIGITAL LITERACY" (TX)
-> 3/8 = 0.375, 2 in LA. Median of the LA amounts 5,000 8,000 10,000 10,000 12,000 -> $10,000,
4% of $250,000 -> size 1.0. Latest 2022 -> recency 1.0.
Score 0.4*0.625 + 0.3*0.375 + 0.2*1.0 + 0.1*1.0 = 0.6625.

Gulf (2021): 4 grants, 1 in LA -> 0.25; no purpose match -> 0; median LA $50,000 = 20% -> 1.0;
a year behind -> 0.6. Score 0.1 + 0 + 0.2 + 0.06 = 0.36.

Family: gives only to preselected organisations -> never among the open matches.
Lone Star: no grant in Louisiana -> not a candidate for a Louisiana profile.
"""

from __future__ import annotations

import pytest

from funders.matching import ProfileNeeds, profile_needs, size_fit
from funders.selectors import funder_matches, preselected_funders_nearby, purpose_tsquery

pytestmark = pytest.mark.django_db


def test_the_profile_gives_state_words_and_budget(louisiana_profile):
    needs = profile_needs(louisiana_profile)
    assert needs.state == "LA" and needs.budget == 250_000
    assert {"digital", "literacy", "adult", "rural"} <= set(needs.terms)


def test_matches_and_scores_are_the_hand_computed_ones(funders_fixture, louisiana_profile):
    matches = funder_matches(profile_needs(louisiana_profile))
    assert [(funder.name, match.score) for funder, match in matches] == [
        ("BAYOU DIGITAL FUTURES FOUNDATION", 0.6625),
        ("GULF SCHOLARS TRUST", 0.36),
    ]
    bayou = matches[0][1]
    assert bayou.parts == {"place": 0.625, "purpose": 0.375, "size": 1.0, "recency": 1.0}
    assert bayou.reasons == [
        "5 of its 8 grants went to Louisiana (5 in 2022).",
        "3 for purposes like yours, 2 of them in Louisiana.",
        "Median grant $10,000, 4% of your yearly budget of $250,000.",
        "Latest filing: tax year 2022.",
    ]
    gulf = matches[1][1]
    assert gulf.parts == {"place": 0.25, "purpose": 0.0, "size": 1.0, "recency": 0.6}
    assert gulf.reasons[:2] == ["1 of its 4 grants went to Louisiana (1 in 2021).", "No grant purposes like yours."]


def test_preselected_only_funders_are_never_open_matches(funders_fixture, louisiana_profile):
    needs = profile_needs(louisiana_profile)
    assert "PRIVATE FAMILY FOUNDATION" not in [funder.name for funder, _ in funder_matches(needs)]
    nearby = preselected_funders_nearby(needs)
    assert [(funder.name, evidence.in_state, evidence.purpose) for funder, evidence in nearby] == [
        ("PRIVATE FAMILY FOUNDATION", 3, 3)
    ]


def test_without_a_state_the_purpose_finds_candidates(funders_fixture):
    needs = ProfileNeeds(state="", terms=("digital", "literacy"), budget=None)
    names = [funder.name for funder, _ in funder_matches(needs)]
    assert set(names) == {"BAYOU DIGITAL FUTURES FOUNDATION", "LONE STAR LITERACY FUND"}


def test_an_empty_profile_matches_nothing(funders_fixture):
    assert funder_matches(ProfileNeeds()) == []


def test_purpose_words_cannot_inject_tsquery_operators():
    assert purpose_tsquery(["digital", "lit'eracy", "a|b", "x", "!(drop)"]) == "digital | literacy | drop"


@pytest.mark.parametrize(
    ("median", "budget", "fit"),
    [(10_000, 250_000, 1.0), (1_000, 250_000, 0.5), (100_000, 250_000, 0.6), (200_000, 250_000, 0.2), (5, None, 0.5)],
)
def test_size_fit(median, budget, fit):
    assert size_fit(median, budget) == fit
