"""Journey 5: user B cannot reach user A's grant, application or document by typing its address."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.data import grant_seeker_with_everything

pytestmark = pytest.mark.browser


def test_it_shows_another_users_grant_application_and_document_to_nobody_but_their_owner(
    live_server, page, sign_in, user, other_user
):
    a = grant_seeker_with_everything(user)
    grant, application, document = a["grant"], a["application"], a["document"]
    addresses = {
        "grant": reverse("grants:detail", args=[grant.pk]),
        "application": reverse("applications:detail", args=[application.pk]),
        "application DOCX": reverse("applications:export_docx", args=[application.pk]),
        "application print": reverse("applications:print", args=[application.pk]),
        "document": reverse("profiles:document_download", args=[document.pk]),
        "search run": reverse("grants:run_detail", args=[a["run"].pk]),
    }

    # The owner reaches each one (so the 404s below are about who asks, not broken addresses).
    sign_in(user)
    page.goto(addresses["grant"])
    expect(page.get_by_role("heading", level=1)).to_have_text(grant.title)
    page.goto(addresses["application"])
    expect(page.get_by_role("heading", level=1)).to_have_text(grant.title)
    with page.expect_download() as owner_download:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.click(); }", addresses["document"]
        )
    assert owner_download.value.suggested_filename == "annual-report.txt"

    sign_in(other_user)
    for what, address in addresses.items():
        response = page.goto(address)
        assert response.status == 404, f"B opened A's {what} at {address}: {response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text(grant.title)
        expect(page.locator("main")).not_to_contain_text("Bayou Connect")
    assert_accessible(page)

    # B's own pages show none of A's things either.
    page.goto(reverse("grants:list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Grants")
    expect(page.locator("main")).not_to_contain_text(grant.title)
    page.goto(reverse("applications:list"))
    expect(page.locator("main")).not_to_contain_text(grant.title)
    page.goto(reverse("profiles:edit"))
    expect(page.locator("main")).not_to_contain_text("annual-report.txt")
