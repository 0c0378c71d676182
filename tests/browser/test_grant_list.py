"""The grants list with many grants: paging forward and back, filtering by text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import GrantFactory

pytestmark = pytest.mark.browser


def test_it_pages_forward_and_back_and_filters_by_text(live_server, page, sign_in, user):
    for n in range(30):
        GrantFactory(user=user, title=f"Water grant {n:02d}", overall_composite_score=round(0.99 - n / 100, 2))
    GrantFactory(
        user=user, title="Museum roof", overall_composite_score=0.1, funder_name="Institute of Museum Services"
    )
    sign_in(user)

    page.goto("/grants/")
    expect(page.get_by_text("31 grants")).to_be_visible()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Water grant 00")
    assert_accessible(page)

    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(rows).to_have_count(6)
    expect(rows.first).to_contain_text("Water grant 25")
    expect(rows.last).to_contain_text("Museum roof")
    expect(page.get_by_role("link", name="Next")).to_have_count(0)

    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    expect(rows.first).to_contain_text("Water grant 00")

    page.get_by_label("Text").fill("museum")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 grant ")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Museum roof")
    expect(page.get_by_label("Text")).to_have_value("museum")
