"""A grant page shows Grants.gov's recorded text as a reader should see it: no entity shown
literally, plain-text paragraphs and line breaks kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from grants.models import CatalogSync, Opportunity
from grants.services.catalog import SyncCounter, catalog_upsert
from grants.sources.grantsgov import record_from_detail
from tests.browser.conftest import assert_accessible
from tests.factories import GrantFactory
from tests.grants.fake_grantsgov import recorded_detail

pytestmark = pytest.mark.browser


def test_recorded_grantsgov_text_reads_cleanly(live_server, page, sign_in, user):
    records = [
        record_from_detail(recorded_detail("fetch_355211_dos_2099_undefined.json")),
        record_from_detail(recorded_detail("fetch_356612_dod_zero_ceiling.json")),
    ]
    catalog_upsert(
        records=records, counter=SyncCounter(CatalogSync.objects.create(source="test")), today=date(2026, 9, 1)
    )
    dos = GrantFactory(user=user, title="Libya PAS", opportunity=Opportunity.objects.get(external_id="355211"))
    dod = GrantFactory(user=user, title="Counter WMD", opportunity=Opportunity.objects.get(external_id="356612"))
    sign_in(user)

    page.goto(reverse("grants:detail", args=[dos.pk]))
    description = page.locator(".description")
    expect(description.locator("p")).to_have_count(2)
    expect(description.locator("p").first.locator("br")).to_have_count(2)  # three lines in the first paragraph
    eligibility = page.locator("dt:text('Eligibility notes') + dd")
    expect(eligibility.locator("br")).to_have_count(2)  # a blank line between its two paragraphs
    expect(eligibility).to_contain_text("from all sectors. All grantees")
    assert "&#8239;" not in page.content() and "&amp;#" not in page.content()
    assert_accessible(page)

    page.goto(reverse("grants:detail", args=[dod.pk]))
    expect(page.locator("dt:text('Eligibility notes') + dd")).to_contain_text(
        "See Section 3. \u201cEligibility Information\u201d, of the BAA"
    )
    expect(page.get_by_text("&ldquo;")).to_have_count(0)
