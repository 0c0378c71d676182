"""The dashboard's charts: drawn on the server as SVG, legible to screen readers, no outside service."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.data import grant_seeker_with_everything

pytestmark = pytest.mark.browser


def test_it_charts_grants_by_score_band_category_and_deadline_week(live_server, page, sign_in, user):
    grant_seeker_with_everything(user)
    sign_in(user)
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))

    page.goto("/dashboard/")

    bands = page.get_by_role("img", name="Grants by score band")
    expect(bands).to_be_visible()
    expect(bands.locator("desc")).to_have_text(
        "High (0.7 and up): 3 grants; Medium (0.4 to 0.7): 0 grants; Low (under 0.4): 0 grants"
    )
    expect(bands.locator("rect.bar")).to_have_count(3)
    categories = page.get_by_role("img", name="Grants by category")
    expect(categories.locator("desc")).to_have_text(
        "Information and Statistics: 2 grants; Community Development: 1 grant; Employment, Labor and Training: 1 grant"
    )
    deadlines = page.get_by_role("img", name="Deadlines in the next eight weeks")
    expect(deadlines.locator("rect.bar")).to_have_count(8)
    expect(deadlines.locator("text.bar-label").first).to_contain_text("Week of")
    assert_accessible(page)
    assert requested_hosts == {live_server.url.split("/")[2]}
