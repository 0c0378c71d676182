"""Journey 1: a new visitor signs in through the (fake) Auth0, completes the profile, uploads a
document, runs a search and watches its progress, opens the best grant, reads why it matches, saves it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.conftest import assert_accessible
from tests.browser.data import catalog_add, run_worker

pytestmark = pytest.mark.browser


def test_it_takes_a_new_visitor_from_sign_in_to_a_saved_grant(live_server, page, fake_auth0):
    fake_auth0.next_identity(sub="auth0|journey1", email="nadia@bayou.example", name="Nadia Broussard")
    catalog_add()
    nav = page.get_by_role("navigation", name="Main")

    # Sign in through Auth0: the same button creates the account.
    page.goto("/")
    page.get_by_role("link", name="Sign in").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in with Auth0").click()

    # Signing in lands on the dashboard, which says where to start; complete the profile.
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.locator(".nav-user")).to_contain_text("nadia@bayou.example")
    assert [path for _, path in fake_auth0.requests] == ["/authorize", "/oauth/token", "/.well-known/jwks.json"]
    assert User.objects.get(email="nadia@bayou.example").auth0_id == "auth0|journey1"
    expect(page.locator("#first-steps").get_by_role("heading")).to_have_text("Get started: 3 steps to go")
    page.locator("#first-steps").get_by_role("link", name="Complete your business profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Business profile")
    expect(page.get_by_text("Save your profile first; then you can upload documents.")).to_be_visible()
    page.get_by_label("Organisation name").fill("Bayou Connect")
    page.get_by_label("Organisation type").select_option(label="Nonprofit (501(c)(3))")
    page.get_by_label("Mission statement").fill("We bring broadband and digital skills to rural Louisiana parishes.")
    page.get_by_label("Services and programmes").fill("Community Wi-Fi, digital literacy classes and device lending.")
    page.get_by_label("Target sectors").fill("Telecommunications, Education")
    page.get_by_label("Geographic focus").fill("Louisiana")
    page.get_by_label("Team size").fill("12")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status").filter(has_text="Your profile is saved.")).to_be_visible()
    expect(page.get_by_label("Organisation name")).to_have_value("Bayou Connect")

    # Upload a supporting document.
    page.get_by_label("Add a document (PDF, DOCX or TXT)").set_input_files(
        files=[
            {
                "name": "annual-report.txt",
                "mimeType": "text/plain",
                "buffer": b"Bayou Connect brought broadband to 1,200 rural households in 2025.",
            }
        ]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").filter(has_text="annual-report.txt")).to_contain_text("uploaded and indexed")
    expect(page.get_by_role("link", name="annual-report.txt")).to_be_visible()
    assert_accessible(page)

    # Run a search and watch it: queued first, then done, on the same page without a reload.
    nav.get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search for grants")
    page.get_by_label("Keywords").fill("broadband")
    page.get_by_role("button", name="Search", exact=True).click()
    progress = page.locator("#run-progress")
    expect(page.get_by_role("status").filter(has_text="Your search has started")).to_be_visible()
    expect(progress).to_contain_text("In progress")
    expect(progress).to_contain_text("this page updates by itself")
    # A reload while it runs loses nothing: the page comes back showing the same run, still polling.
    run_url = page.url
    page.reload()
    expect(page).to_have_url(run_url)
    expect(progress).to_contain_text("In progress")
    run_worker()
    expect(progress.locator("[data-field=status_label]")).to_have_text("Succeeded")
    # Two of the four catalog entries mention broadband in the categories the profile chose.
    expect(progress.locator("[data-field=grants_found]")).to_have_text("2")
    expect(progress).not_to_contain_text("this page updates by itself")
    assert_accessible(page)

    # The best grant comes first in the list; open it and read why it matches.
    nav.get_by_role("link", name="Grants").click()
    expect(page.locator("main table tbody tr")).to_have_count(2)
    first = page.locator("main table tbody tr").first
    best_title = first.get_by_role("link").inner_text()
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(best_title)
    why = page.locator("section", has=page.get_by_role("heading", name="Why this score"))
    expect(why.get_by_role("row", name="Geographic relevance")).to_contain_text("Names your area: Louisiana")
    expect(why.get_by_role("row", name="Sector relevance")).to_be_visible()
    assert_accessible(page)

    # Save it: a message says so, the button turns into Unsave, and Saved lists it.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Unsave")).to_be_visible()
    nav.get_by_role("link", name="Saved").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table tbody tr")).to_contain_text(best_title)

    # Two of the three first steps are done.
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#first-steps").get_by_role("heading")).to_have_text("Get started: 1 step to go")
    expect(page.locator("#first-steps").get_by_role("link")).to_have_text(["Write your first application"])
