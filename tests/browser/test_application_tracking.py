"""Application tracking in a browser: the form (the shared field partial) records a step of the history."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import ApplicationHistory
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_it_records_an_application_and_shows_it_in_the_history(live_server, page, sign_in, user, grant):
    sign_in(user)
    page.goto(reverse("applications:tracking", kwargs={"grant_id": grant.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Application history")
    assert_accessible(page)

    page.get_by_label("Status").select_option(label="Applied")
    page.get_by_label("Date").fill("2026-11-02")
    page.get_by_label("Reason or reference").fill("ref GF-12")
    page.get_by_role("button", name="Record").click()

    expect(page.get_by_role("table")).to_contain_text("ref GF-12")
    expect(page.get_by_role("table")).to_contain_text("Nov 2, 2026")
    entry = ApplicationHistory.objects.get(grant=grant)
    assert (entry.user, entry.status_reason) == (user, "ref GF-12")
