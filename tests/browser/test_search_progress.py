"""A search run's page follows it live and ends in a clear result, or a clear error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.data import catalog_add, run_worker
from tests.factories import BusinessProfileFactory

pytestmark = pytest.mark.browser


def test_it_says_plainly_when_grants_gov_could_not_be_searched(live_server, page, sign_in, user, settings):
    # Live Grants.gov search is on, but nothing answers at the configured address (port 9, loopback).
    settings.GRANTSGOV_LIVE_SEARCH = True
    settings.GRANTSGOV_API_BASE = "http://127.0.0.1:9/v1/api"
    settings.GRANTSGOV_TIMEOUT_SECONDS = 0.5
    BusinessProfileFactory(user=user)
    catalog_add()
    sign_in(user)
    page.goto("/search/")
    page.get_by_label("Keywords").fill("broadband")
    page.get_by_role("button", name="Search", exact=True).click()
    progress = page.locator("#run-progress")
    expect(progress.locator("[data-field=status_label]")).to_have_text("In progress")

    run_worker()

    expect(progress.locator("[data-field=status_label]")).to_have_text("Partly succeeded")
    expect(progress.locator("[data-field=error_message]")).to_contain_text("Grants.gov could not be searched fully")
    # What the catalog did find is still there to use.
    expect(progress.locator("[data-field=grants_found]")).to_have_text("2")
    assert_accessible(page)
