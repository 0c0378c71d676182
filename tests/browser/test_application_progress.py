"""The application page follows a background generation by polling its status (static JS, strict CSP)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import GeneratedApplication
from tests.factories import BusinessProfileFactory, GeneratedApplicationFactory, GrantFactory

pytestmark = pytest.mark.browser


def test_it_shows_progress_then_the_written_application(live_server, page, sign_in, user):
    BusinessProfileFactory(user=user)
    grant = GrantFactory(user=user, title="Rural Broadband Expansion Grant")
    application = GeneratedApplicationFactory(
        user=user, grant=grant, sections={}, generation_state="running", progress_done=1, progress_total=6
    )
    sign_in(user)
    page.goto(reverse("applications:detail", args=[application.pk]))
    progress = page.locator("#generation-progress-text")
    expect(progress).to_contain_text("1 of 6")

    # What the worker does as sections come back, then when it finishes.
    GeneratedApplication.objects.filter(pk=application.pk).update(progress_done=4)
    expect(progress).to_contain_text("Writing: 4 of 6 sections written.")
    GeneratedApplication.objects.filter(pk=application.pk).update(
        generation_state="succeeded",
        status="GENERATED",
        progress_done=6,
        sections={"executive_summary": "We will connect 400 homes."},
    )
    expect(page.get_by_role("heading", name="Executive summary")).to_be_visible()
    expect(page.locator("#generation-progress")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Executive summary")).to_have_value("We will connect 400 homes.")
