"""Journey: a new user in Louisiana teaching digital literacy finds a foundation that funds such work,
reads why it matches, opens the grants behind it, saves it and logs a letter of inquiry."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from funders.models import FunderApproach, SavedFunder
from tests.browser.conftest import assert_accessible, screenshot
from tests.funders.conftest import build_funders

pytestmark = pytest.mark.browser


def test_a_louisiana_digital_literacy_group_finds_saves_and_approaches_a_funder(live_server, page, sign_in, user):
    build_funders()
    sign_in(user)

    # A new user: the Funders page first asks for a profile.
    page.goto("/funders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Funders")
    expect(page.get_by_text("to see which foundations fund work like yours")).to_be_visible()
    page.get_by_role("link", name="your profile").click()
    page.get_by_label("Organisation name").fill("Parish Connect")
    page.get_by_label("Organisation type").select_option("nonprofit")
    page.get_by_label("Mission statement").fill("Digital literacy classes for adults in rural parishes.")
    page.get_by_label("Target sectors").fill("Digital literacy")
    page.get_by_label("Annual revenue range").fill("$100k-$250k")
    page.get_by_label("Geographic focus").fill("Louisiana")
    page.get_by_role("button", name="Save profile").click()

    # The matches, best first, each saying why in plain words; preselected-only funders apart.
    page.get_by_role("link", name="Funders", exact=True).click()
    matches = page.locator(".match")
    expect(matches).to_have_count(2)
    first = matches.first
    expect(first.get_by_role("heading")).to_have_text("BAYOU DIGITAL FUTURES FOUNDATION")
    expect(first).to_contain_text("5 of its 8 grants went to Louisiana (5 in 2022).")
    expect(first).to_contain_text("3 for purposes like yours, 2 of them in Louisiana.")
    expect(first).to_contain_text("Median grant $10,000, 4% of your yearly budget of $250,000.")
    expect(
        page.locator(
            "section", has=page.get_by_role("heading", name="They give nearby, but only to organisations they choose")
        )
    ).to_contain_text("PRIVATE FAMILY FOUNDATION")  # noqa: E501
    assert_accessible(page)
    screenshot(page, "funders")

    # The grants behind the match: the Louisiana ones.
    first.get_by_role("link", name="See the grants behind this").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BAYOU DIGITAL FUTURES FOUNDATION")
    grants = page.locator("section", has=page.get_by_role("heading", name="Past grants"))
    expect(grants).to_contain_text("DIGITAL LITERACY CLASSES FOR SENIORS")
    expect(grants).to_contain_text("(5 grants)")
    expect(grants).not_to_contain_text("SCHOLARSHIP")  # a Texas grant, filtered out
    expect(page.get_by_role("figure")).to_contain_text("Grants paid by tax year")

    # Save it, then log the letter of inquiry.
    page.get_by_role("button", name="Save funder").click()
    expect(page.get_by_role("status").filter(has_text="Saved BAYOU DIGITAL FUTURES FOUNDATION")).to_be_visible()
    page.get_by_label("What happened").select_option("loi_sent")
    page.get_by_label("Date").fill("2026-11-02")
    page.get_by_label("Notes").fill("Two-page letter to the grants committee.")
    page.get_by_role("button", name="Log this step").click()
    approach = page.locator("section", has=page.get_by_role("heading", name="Your approach"))
    expect(approach.get_by_role("row").nth(1)).to_contain_text("Letter of inquiry sent")
    expect(approach).to_contain_text("2 Nov 2026")
    assert_accessible(page)
    screenshot(page, "funder-detail")

    assert SavedFunder.objects.filter(user=user, funder__ein="720000001").exists()
    logged = FunderApproach.objects.get(user=user)
    assert (logged.stage, logged.funder.ein, logged.notes) == (
        "loi_sent",
        "720000001",
        "Two-page letter to the grants committee.",
    )  # noqa: E501
