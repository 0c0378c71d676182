"""Drafts and prompts in plain words: categories, applicant types and instruments by name, never by code."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from accounts.models import User
from applications.retrieval import section_contexts
from applications.writer import SECTIONS, build_prompt, offline_write
from grants.criteria import CATEGORY_LABELS, ELIGIBILITY_LABELS, FUNDING_INSTRUMENT_LABELS
from grants.models import Grant
from profiles.services import profile_passages_rebuild
from tests.factories import BusinessProfileFactory, GrantFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

CODES = set(CATEGORY_LABELS) | set(ELIGIBILITY_LABELS) | set(FUNDING_INSTRUMENT_LABELS)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?”])\s+", text) if s.strip()]


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
NOT_CODES = re.compile(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}\b|\$[\d,.]+|\d+ days")


def _codes_in(sentence: str) -> set[str]:
    # Codes are upper case or digits: "IS", "CD", "12", "CA"; prose "is" or "ca." is not a code,
    # and neither is the day of a date ("13 February 2027") or an amount ("$250,000").
    sentence = NOT_CODES.sub(" ", sentence)
    return {token for token in re.findall(r"[A-Za-z0-9]+", sentence) if token in CODES}


def _drafts_and_prompts(profile, grant) -> list[str]:
    contexts = section_contexts(profile=profile, grant=grant, sections=SECTIONS)
    return [offline_write(c).text for c in contexts] + [build_prompt(c) for c in contexts]


def test_no_template_draft_sentence_of_a_demo_grant_contains_a_code():
    call_command("load_demo_data")
    demo = User.objects.get(email="demo@grantfinder.local")
    profile = demo.business_profile
    profile_passages_rebuild(profile=profile)
    grants = list(Grant.objects.filter(user=demo).select_related("opportunity"))
    assert grants and all(g.categories and g.opportunity.eligible_applicants for g in grants)

    # The profile's own figures (a team of 12) are numbers, not applicant-type codes.
    figures = {str(profile.team_size), str(profile.years_in_operation)}
    for grant in grants:
        texts = _drafts_and_prompts(profile, grant)
        for text in texts:
            for sentence in _sentences(text):
                assert not _codes_in(sentence) - figures, (grant.title, sentence)
        # The names stand where the codes were.
        assert CATEGORY_LABELS[grant.categories[0]] in texts[1]  # the needs statement


def test_a_grant_carrying_every_code_is_written_and_prompted_in_names(user):
    profile = BusinessProfileFactory(user=user, business_name="Bayou Connect", team_size=30, years_in_operation=9)
    profile_passages_rebuild(profile=profile)
    opportunity = OpportunityFactory(
        categories=list(CATEGORY_LABELS),
        eligible_applicants=list(ELIGIBILITY_LABELS),
        funding_instruments=list(FUNDING_INSTRUMENT_LABELS),
    )
    grant = GrantFactory(
        user=user, opportunity=opportunity, title="Rural Broadband Expansion", categories=list(CATEGORY_LABELS)
    )

    texts = _drafts_and_prompts(profile, grant)

    for text in texts:
        for sentence in _sentences(text):
            assert not _codes_in(sentence), sentence
    prompt = texts[len(SECTIONS)]
    assert "Information and Statistics" in prompt
    assert "Eligible applicants: State governments; County governments" in prompt
    assert "Funding instrument: Grant, Cooperative agreement, Procurement contract, Other" in prompt
    assert "a real need in Affordable Care Act, Agriculture" in texts[1]
