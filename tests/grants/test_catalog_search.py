"""Keyword search over the opportunity catalog: it ranks instead of filtering away."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from grants.criteria import SearchCriteria
from grants.selectors import opportunity_search
from grants.services import catalog_sync_demo
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def _found(keywords: str) -> list[str]:
    return [o.title for o in opportunity_search(criteria=SearchCriteria(keywords=keywords), today=timezone.localdate())]


def _opportunity(title: str, text: str = "", eligibility: str = "", **fields):
    return OpportunityFactory(
        title=title, description=f"<p>{text}</p>", description_text=text, eligibility_text=eligibility, **fields
    )


def test_broadband_rural_internet_finds_every_rural_broadband_opportunity_of_the_demo_catalog_first():
    catalog_sync_demo()
    today = timezone.localdate()
    open_catalog = opportunity_search(criteria=SearchCriteria(), today=today)
    # "About rural broadband", read from each opportunity's own words, not from the search.
    about = {
        o.pk
        for o in open_catalog
        if re.search(r"\brural\b", f"{o.title} {o.description_text}", re.I)
        and re.search(r"\b(broadband|internet)\b", f"{o.title} {o.description_text}", re.I)
    }
    assert len(about) >= 2

    found = list(
        opportunity_search(criteria=SearchCriteria(keywords="broadband rural internet"), today=today).values_list(
            "pk", "title", "description_text"
        )
    )

    assert {pk for pk, _, _ in found[: len(about)]} == about
    # Then what is about getting online without saying rural.
    online = re.compile(r"\b(broadband|internet)\b", re.I)
    rest = [online.search(f"{title} {text}") is not None for _, title, text in found[len(about) :]]
    assert rest and rest[0] and rest == sorted(rest, reverse=True)


def test_it_ranks_a_title_match_above_a_synopsis_match_above_an_eligibility_match():
    _opportunity("Grants for libraries", eligibility="Open to forestry cooperatives.")
    _opportunity("Grants for museums", text="Supports forestry education.")
    _opportunity("Community Forestry Program", text="Supports local projects.")

    assert _found("forestry") == ["Community Forestry Program", "Grants for museums", "Grants for libraries"]


def test_it_puts_what_matches_every_word_first_then_what_matches_most_and_drops_the_rest():
    _opportunity("Rural clinic", text="Primary care in rural towns.")
    _opportunity("Rural dental clinic", text="Dental care in rural towns.")
    _opportunity("Rural roads", text="Paving in rural towns.")
    _opportunity("City parks", text="Trees for parks.")

    found = _found("rural dental clinic")

    assert found == ["Rural dental clinic", "Rural clinic"]


def test_synonyms_and_stemming_find_other_words_for_the_same_thing():
    _opportunity("After-school help", text="Tutoring for kids in grades 3 to 8.")
    _opportunity("Youth sports", text="Leagues for teens.")
    _opportunity("Farm to market", text="Support for farms and farmers markets.")
    _opportunity("Office supplies", text="Paper and pens.")

    assert set(_found("children")) == {"After-school help", "Youth sports"}
    assert _found("farming") == ["Farm to market"]
    assert set(_found("solar or farms")) == {"Farm to market"}


def test_quoted_phrases_are_required_and_exclusions_exclude():
    _opportunity("Food security grants", text="Improve food security in rural towns.")
    _opportunity("Food safety and security", text="Food inspection; building security.")
    _opportunity("Tribal broadband", text="Broadband on tribal lands.")
    _opportunity("Rural broadband", text="Broadband for rural homes.")

    assert _found('"food security"') == ["Food security grants"]
    assert _found('"food security" rural') == ["Food security grants"]
    assert _found("broadband -tribal") == ["Rural broadband"]
    assert _found('broadband -"tribal lands"') == ["Rural broadband"]


def test_it_treats_every_source_alike():
    _opportunity("Broadband for towns", text="Rural broadband.", source="demo")
    _opportunity("Broadband for towns", text="Rural broadband.", source="grantsgov")

    assert len(_found("rural broadband")) == 2


@pytest.mark.parametrize("keywords", ["the and of", "'&|!:*()<->", "or", '"', "-", "a " * 200])
def test_odd_input_never_fails_and_stop_words_alone_filter_nothing(keywords):
    _opportunity("Anything", text="Something.")
    assert _found(keywords) == ["Anything"]
