from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_it_shows_the_home_page(live_server, page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Find the grants")
    assert_accessible(page)
