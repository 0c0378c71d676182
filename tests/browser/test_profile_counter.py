"""The narrative's live character counter (static JS under the strict CSP)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_counts_the_narrative_as_it_is_typed(live_server, page, sign_in, user):
    sign_in(user)
    page.goto(reverse("profiles:edit"))
    counter = page.locator("#narrative-counter")
    expect(counter).to_have_text("0 / 2000 characters")
    narrative = page.get_by_role("textbox", name="Narrative")
    narrative.fill("Since 2019 we have connected 1,200 homes.")
    expect(counter).to_have_text("41 / 2000 characters")
    narrative.fill("é" * 1999 + "\n")  # code points, a newline counted once, as the server counts
    expect(counter).to_have_text("2000 / 2000 characters")
