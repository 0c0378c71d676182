"""Guidance: a new user's empty pages say what to do next, the dashboard's checklist follows their
first steps, and destructive actions ask first (static/js/confirm.js)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from profiles.models import Document
from profiles.services import document_upload
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.data import grant_seeker_with_everything
from tests.factories import BusinessProfileFactory

pytestmark = pytest.mark.browser


def test_it_tells_a_new_user_what_to_do_next_on_every_empty_page(live_server, page, sign_in, user):
    sign_in(user)

    page.goto("/dashboard/")
    checklist = page.locator("#first-steps")
    expect(checklist.get_by_role("heading")).to_have_text("Get started: 3 steps to go")
    expect(checklist.get_by_role("link")).to_have_text(
        ["Complete your business profile", "Run your first search", "Write your first application"]
    )
    expect(page.locator("main")).to_contain_text("No search yet. Run your first search")
    assert_accessible(page)
    screenshot(page, "dashboard-first-run")

    page.goto("/grants/")
    expect(page.locator("main")).to_contain_text("Start a search")
    page.goto("/applications/")
    expect(page.locator("main")).to_contain_text(
        "Applications are written from your business profile. Fill it in first"
    )
    expect(page.locator(".empty-state").get_by_role("heading")).to_have_text("No applications yet")
    assert_accessible(page)
    page.goto("/profile/")
    expect(page.locator("main")).to_contain_text("Save your profile first; then you can upload documents.")
    assert_accessible(page)
    page.goto("/search/runs/")
    expect(page.locator("main")).to_contain_text("No searches yet.")

    # Profile done: the checklist ticks it off and counts down.
    BusinessProfileFactory(user=user)
    page.goto("/dashboard/")
    expect(checklist.get_by_role("heading")).to_have_text("Get started: 2 steps to go")
    expect(checklist.locator("li.done")).to_have_text(["Done: Complete your business profile"])
    expect(checklist.get_by_role("link")).to_have_text(["Run your first search", "Write your first application"])
    page.goto("/profile/")
    expect(page.locator("main")).to_contain_text("No documents yet. Add an annual report")


def test_it_hides_the_checklist_once_every_step_is_done(live_server, page, sign_in, user):
    grant_seeker_with_everything(user)
    sign_in(user)

    page.goto("/dashboard/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your grants")
    expect(page.locator("#first-steps")).to_have_count(0)


def test_it_asks_before_deleting_a_document_and_keeps_it_on_cancel(live_server, page, sign_in, user):
    BusinessProfileFactory(user=user)
    document_upload(
        user=user, uploaded_file=SimpleUploadedFile("budget.txt", b"Budget 2026: $120,000.", content_type="text/plain")
    )
    sign_in(user)
    page.goto("/profile/")
    questions = []

    # Cancel: the question was asked, nothing was sent, the document stays.
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete budget.txt").click()
    expect(page.get_by_role("link", name="budget.txt")).to_be_visible()
    assert questions == ["Delete budget.txt? Applications will no longer draw on it."]
    assert Document.objects.filter(profile__user=user).count() == 1

    # Confirm: it is deleted, and a message says so.
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Delete budget.txt").click()
    expect(page.get_by_role("status").filter(has_text="is deleted")).to_contain_text("budget.txt")
    expect(page.get_by_role("link", name="budget.txt")).to_have_count(0)
    assert len(questions) == 2
    assert not Document.objects.filter(profile__user=user).exists()
