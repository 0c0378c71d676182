"""Journey 2: generate an application, edit a section, mark it submitted, download the DOCX."""

from __future__ import annotations

import docx
import pytest
from playwright.sync_api import expect

from applications.models import ApplicationGenerationStatus, GenerationState
from grants.criteria import SearchCriteria
from grants.models import Grant
from grants.services.search_runs import search_run_start
from tests.browser.conftest import assert_accessible
from tests.browser.data import catalog_add, run_worker
from tests.factories import BusinessProfileFactory, GeneratedApplicationFactory

pytestmark = pytest.mark.browser

EDITED = "Bayou Connect will connect 400 more rural homes in Acadia Parish by June 2027."


@pytest.fixture
def searched_grant(user):
    """The user after a finished search: a profile and scored grants to apply for."""
    BusinessProfileFactory(user=user, business_name="Bayou Connect")
    catalog_add()
    search_run_start(user=user, criteria=SearchCriteria(keywords="broadband"))
    run_worker()
    return Grant.objects.filter(user=user).order_by("-overall_composite_score", "id").first()


def test_it_generates_edits_submits_and_downloads_an_application(
    live_server, page, sign_in, user, searched_grant, tmp_path
):
    sign_in(user)
    page.goto("/applications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications")

    # Ask for one: the page shows the writing's progress at once, then the sections, by itself.
    page.get_by_label("Grant").select_option(value=str(searched_grant.pk))
    page.get_by_role("button", name="Write the application").click()
    expect(page.get_by_role("status").filter(has_text="being written")).to_be_visible()
    progress = page.locator("#generation-progress")
    expect(progress).to_contain_text("Writing your application")
    expect(progress.get_by_role("progressbar")).to_be_visible()
    assert_accessible(page)
    # A reload while it is written loses nothing: the progress is still there, still polling.
    page.reload()
    expect(progress).to_contain_text("Writing your application")
    run_worker()
    expect(page.get_by_role("heading", name="Executive summary")).to_be_visible()
    expect(progress).to_have_count(0)
    expect(page.locator("main section[id^=section-]")).to_have_count(6)

    # Edit one section.
    summary = page.locator("#section-executive_summary")
    summary.get_by_role("textbox").fill(EDITED)
    summary.get_by_role("button", name="Save executive summary").click()
    expect(page.get_by_role("status").filter(has_text="Executive summary saved.")).to_be_visible()
    expect(page.locator("#section-executive_summary").get_by_role("textbox")).to_have_value(EDITED)
    expect(page.locator("#section-executive_summary")).to_contain_text("Edited by you 1 time.")

    # Mark it submitted: the status shows it and the sections can no longer change.
    page.get_by_label("Mark as").select_option(label="Submitted")
    page.get_by_role("button", name="Update status").click()
    expect(page.get_by_role("status").filter(has_text="Marked")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Status: Submitted")
    expect(page.locator("#section-executive_summary").get_by_role("textbox")).to_have_count(0)
    expect(page.locator("#section-executive_summary")).to_contain_text(EDITED)
    assert_accessible(page)

    # Download the DOCX: a real Word file with the edited text in it.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download DOCX").click()
    assert download.value.suggested_filename.endswith(".docx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
    assert EDITED in text
    assert "Needs statement" in text


def test_it_shows_a_clear_error_when_the_writing_fails_and_recovers_on_retry(
    live_server, page, sign_in, user, searched_grant, settings
):
    # The LLM is configured but unreachable: nothing listens on port 9 of the loopback.
    settings.LLM_BASE_URL, settings.LLM_API_KEY, settings.LLM_MODEL = "http://127.0.0.1:9/v1", "test-key", "test-model"
    settings.LLM_MAX_RETRIES, settings.LLM_TIMEOUT_SECONDS = 0, 2
    sign_in(user)
    page.goto("/applications/")
    page.get_by_label("Grant").select_option(value=str(searched_grant.pk))
    page.get_by_role("button", name="Write the application").click()
    expect(page.locator("#generation-progress")).to_contain_text("Writing your application")

    run_worker()

    failure = page.get_by_role("alert").filter(has_text="The writing failed")
    expect(failure).to_be_visible()
    expect(failure).to_contain_text("No application was taken from your allowance.")
    expect(page.locator("#generation-progress")).to_have_count(0)
    assert_accessible(page)
    user.refresh_from_db()
    assert user.applications_used == 0

    # Back to the offline writer: Try again writes it.
    settings.LLM_BASE_URL = ""
    failure.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("status").filter(has_text="Trying again")).to_be_visible()
    run_worker()
    expect(page.get_by_role("heading", name="Executive summary")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="The writing failed")).to_have_count(0)


def test_it_marks_a_section_cut_at_the_length_limit_and_estimated_tokens(live_server, page, sign_in, user):
    cut = "The applicant company is The Marigold Trust dated 7/16/15,"
    application = GeneratedApplicationFactory(
        user=user,
        sections={"executive_summary": "We will connect 400 homes.", "budget_narrative": cut},
        incomplete_sections=["budget_narrative"],
        tokens_used=1234,
        tokens_estimated=True,
        model_used="neuraldeep/qwen3.6-unlim-noreason",
        status=ApplicationGenerationStatus.GENERATED,
        generation_state=GenerationState.SUCCEEDED,
    )
    sign_in(user)
    page.goto(f"/applications/{application.pk}/")

    budget = page.locator("#section-budget_narrative")
    expect(budget.get_by_test_id("incomplete-budget_narrative")).to_contain_text(
        "Incomplete: the writing model stopped at its length limit"
    )
    expect(page.locator("#section-executive_summary")).not_to_contain_text("Incomplete")
    expect(page.locator("main")).to_contain_text("about 1234 tokens (estimated")
    assert_accessible(page)

    # Finishing it by hand takes the mark away.
    budget.get_by_role("textbox").fill(cut + " which holds the title to the land.")
    budget.get_by_role("button", name="Save budget narrative").click()
    expect(page.get_by_role("status").filter(has_text="Budget narrative saved.")).to_be_visible()
    expect(page.get_by_test_id("incomplete-budget_narrative")).to_have_count(0)
