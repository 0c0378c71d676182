"""A keyword search over the sample catalog finds everything about what was asked, not just the
few opportunities that happen to use every word."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grants.criteria import SearchCriteria
from grants.selectors import opportunity_search
from grants.services import catalog_sync_demo
from tests.browser.conftest import assert_accessible
from tests.browser.data import run_worker
from tests.factories import BusinessProfileFactory

pytestmark = pytest.mark.browser


def test_a_three_word_search_finds_every_rural_broadband_opportunity(live_server, page, sign_in, user):
    catalog_sync_demo()
    BusinessProfileFactory(user=user, target_sectors=[], organization_type="")
    # Read from each open opportunity's own words, not from the search.
    about = [
        o.title
        for o in opportunity_search(criteria=SearchCriteria(), today=timezone.localdate())
        if re.search(r"\brural\b", o.description_text) and re.search(r"\bbroadband\b", o.description_text)
    ]
    assert len(about) >= 2
    sign_in(user)

    page.goto("/search/")
    expect(page.get_by_text("a minus sign leaves a word out")).to_be_visible()
    page.get_by_label("Keywords").fill("broadband rural internet")
    page.get_by_role("button", name="Search", exact=True).click()
    run_worker()
    progress = page.locator("#run-progress")
    expect(progress.locator("[data-field=status_label]")).to_have_text("Succeeded")
    found = int(progress.locator("[data-field=grants_found]").inner_text())
    assert found > len(about)  # also what is about getting online without saying "rural"
    assert_accessible(page)

    page.get_by_role("link", name="See your grants").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(found)
    for title in set(about):
        expect(rows.filter(has_text=title)).to_have_count(about.count(title))
