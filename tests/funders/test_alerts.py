"""Digests include state opportunities, labelled by source, and note a saved funder's new filing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from funders.models import Funder, SavedFunder
from funders.services import funder_save, funders_import
from grants.models import Opportunity
from grants.services import catalog_sync_ca_portal
from grants.services.alerts import alerts_send_digests
from tests.factories import BusinessProfileFactory, SavedSearchFactory, UserSettingsFactory
from tests.funders.test_import import MCNEIL
from tests.grants.fake_ckan import DUMP

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved_search(user):
    BusinessProfileFactory(
        user=user,
        geographic_focus="California",
        target_sectors=["Environment"],
        mission_statement="We restore watersheds and conserve habitat in the Santa Monica Mountains.",
    )
    UserSettingsFactory(user=user, minimum_score=0.0)
    return SavedSearchFactory(
        user=user,
        name="Conservancy",
        criteria={"keywords": "conservancy"},
        created_at=timezone.now() - timedelta(days=1),
    )


def test_the_digest_lists_california_portal_opportunities_with_their_source(saved_search, settings):
    catalog_sync_ca_portal(path=DUMP, today=date(2025, 6, 16))
    # The portal's active rows are open as of the snapshot; a real sync runs daily, so "today" is the sync day.
    Opportunity.objects.filter(source="ca-portal", status="closed").update(status="posted", close_date=None)
    assert alerts_send_digests() == 1
    [message] = mail.outbox
    assert "Proposition 4 – Nature Based" in message.body
    assert "California Grants Portal · Santa Monica Mountains Conservancy" in message.body
    assert "California Grants Portal" in message.alternatives[0].content


def test_a_saved_funders_new_filing_is_noted_once(user, saved_search, tmp_path):
    funders_import(path=MCNEIL)
    funder_save(user=user, funder=Funder.objects.get(ein="046662754"))
    # Saving it marks its current filing as seen: nothing to tell yet, and no opportunity either.
    assert alerts_send_digests() == 0
    # A later return (tax year 2016) arrives.
    newer = MCNEIL.read_text().replace("<TaxYr>2015</TaxYr>", "<TaxYr>2016</TaxYr>")
    newer = newer.replace("2015-01-01", "2016-01-01").replace("2015-12-31", "2016-12-31")
    path = tmp_path / "201711249349100900_public.xml"
    path.write_text(newer)
    funders_import(path=path)
    assert alerts_send_digests() == 1
    [message] = mail.outbox
    assert message.subject == "A funder you saved has filed again"
    note = "MARGARET MCNEIL TR UW CHARITY CO TD BANK filed its 2016 return: $12,000 in grants."
    assert note in message.body and note in message.alternatives[0].content
    assert "/funders/046662754/" in message.body
    assert SavedFunder.objects.get(user=user).last_seen_return.tax_year == 2016
    # Tomorrow: nothing new, no e-mail.
    assert alerts_send_digests(now=timezone.now() + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
