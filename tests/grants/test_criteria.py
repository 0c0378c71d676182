"""SearchCriteria.from_profile: what a business profile asks for, for the search form and scheduled searches."""

from __future__ import annotations

from grants.criteria import SearchCriteria
from profiles.models import BusinessProfile


def test_a_profile_asks_for_its_sectors_categories_and_its_applicant_codes():
    profile = BusinessProfile(
        target_sectors=["Telecommunications", " education ", "Knitting"], organization_type="nonprofit"
    )
    criteria = SearchCriteria.from_profile(profile)
    assert criteria.categories == ["CD", "ED", "IS"]  # an unknown sector adds nothing
    assert criteria.eligibility == ["12", "13"]
    assert criteria.include_forecasts is True and criteria.keywords == ""


def test_no_profile_asks_for_everything_forecasts_included():
    assert SearchCriteria.from_profile(None) == SearchCriteria(include_forecasts=True)
