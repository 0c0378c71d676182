"""The California Grants Portal adapter, on a real datastore dump (tests/grants/ca_portal/README.md)."""

from __future__ import annotations

import csv
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grants.criteria import OpportunityStatus
from grants.models import CatalogSync, Opportunity, OpportunitySource, SearchRunStatus
from grants.scoring import geographic_relevance
from grants.services import catalog_sync_ca_portal
from grants.sources import ca_portal
from tests.grants.fake_ckan import DUMP, FakeCkan, dump_rows

pytestmark = pytest.mark.django_db

SNAPSHOT_DAY = date(2025, 6, 16)  # the day the dump was taken: statuses as the portal saw them


def _row(portal_id: str) -> dict:
    return next(row for row in dump_rows()[1] if row["PortalID"] == portal_id)


def test_a_rolling_active_record_is_read_value_by_value():
    record = ca_portal.record_from_row(_row("117507"))
    assert record.source == "ca-portal" and record.external_id == "117507"
    assert record.title == "Proposition 4 – Nature Based"
    assert record.agency_name == "Santa Monica Mountains Conservancy"
    assert record.number == ""  # GrantID null
    assert (record.is_rolling, record.close_date, record.close_date_text) == (True, None, "Ongoing")
    assert record.estimated_total_funding == 25_000_000  # "$25,000,000"
    assert (record.award_floor, record.award_ceiling, record.expected_awards) == (None, None, None)  # "Dependant on..."
    assert record.eligible_applicants == ["12", "13", "00", "01", "02", "04", "05", "06", "08", "07", "11"]
    assert record.categories == ["ENV", "NR"]
    assert record.post_date == date(2025, 6, 11) and record.last_updated == date(2025, 6, 11)
    assert record.cost_sharing is False  # "Not Required"
    assert record.contact_email == "grants@smmc.ca.gov"
    assert record.url == "https://smmc.ca.gov/grants-redo/"
    # "Zone.  \xa0  \xa0": no-break spaces and runs of spaces trimmed.
    assert record.eligibility_text.endswith("Where: California. Projects must be within the Santa Monica Mountains "
                                            "Conservancy Zone.")  # fmt: skip
    assert "Eligible applicants: Nonprofit, Public Agency, Tribal Government." in record.eligibility_text
    assert record.status_on(SNAPSHOT_DAY) == "posted"


def test_a_forecast_with_a_range_and_a_closed_record():
    forecast = ca_portal.record_from_row(_row("117510"))
    assert (forecast.is_forecast, forecast.status_on(SNAPSHOT_DAY)) == (True, "forecasted")
    assert (forecast.award_floor, forecast.award_ceiling) == (500_000, 5_000_000)  # "Between $500,000 and $5,000,000"
    assert forecast.estimated_total_funding == 55_397_124
    assert forecast.post_date is None  # "Summer 2025" is no date
    assert (forecast.close_date, forecast.is_rolling) == (None, False)  # no deadline yet, not rolling
    assert forecast.number == "RIG3"
    closed = ca_portal.record_from_row(_row("110925"))
    assert closed.close_date == date(2025, 5, 30) and closed.close_date_text == "2025-05-30 00:00:00"
    assert closed.categories == ["AG", "CD", "ENV", "NR"]
    assert closed.cost_sharing is True  # "25%"
    assert closed.status_on(date(2025, 5, 1)) == "closed"  # the portal says closed, whatever the date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$25,000,000", (None, 25_000_000)),
        ("Between $1 and $130,000", (1, 130_000)),
        ("Between $0 and $375,000", (0, 375_000)),
        ("Up to $2.5 million", (None, 2_500_000)),
        ("Dependant on number of submissions received, application process, etc.", (None, None)),
        (None, (None, None)),
    ],
)
def test_money_strings(text, expected):
    assert ca_portal.money_range(text) == expected


def test_the_json_dump_fills_the_catalog_beside_grantsgov_and_a_second_run_changes_nothing():
    sync = catalog_sync_ca_portal(path=DUMP, today=SNAPSHOT_DAY)
    assert (sync.status, sync.new, sync.failed) == (SearchRunStatus.SUCCESS, 50, 0)
    rows = Opportunity.objects.filter(source=OpportunitySource.CA_PORTAL)
    counts = {status: rows.filter(status=status).count() for status in OpportunityStatus.values}
    assert counts == {"forecasted": 2, "posted": 33, "closed": 15, "archived": 0}
    opportunity = rows.get(external_id="117507")
    assert opportunity.get_source_display() == "California Grants Portal"
    assert "Santa Monica Mountains" in opportunity.eligibility_text
    # Searchable through the same generated search vector as Grants.gov rows.
    assert Opportunity.objects.filter(search="conservancy", source="ca-portal").exists()
    before = list(rows.order_by("external_id").values())
    again = catalog_sync_ca_portal(path=DUMP, today=SNAPSHOT_DAY)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 50)
    assert list(rows.order_by("external_id").values()) == before


def test_the_csv_dump_with_a_bom_reads_the_same(tmp_path):
    fields, rows = dump_rows()
    path = tmp_path / "111c8c88.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=[f["id"] for f in fields])
        writer.writeheader()
        writer.writerows(rows)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf_id,PortalID")
    from_csv = [r for r in ca_portal.iter_dump(path)]
    from_json = [r for r in ca_portal.iter_dump(DUMP)]
    assert [r.__dict__ for r in from_csv] == [r.__dict__ for r in from_json]


def test_geography_counts_in_scoring():
    from grants.scoring import OpportunityFacts, ProfileFacts

    record = ca_portal.record_from_row(_row("117507"))
    facts = OpportunityFacts(title=record.title, text=record.eligibility_text)
    assert geographic_relevance(ProfileFacts(geographic_focus="Los Angeles, CA"), facts).score == 1.0
    assert geographic_relevance(ProfileFacts(geographic_focus="Louisiana"), facts).score == 0.2


def test_the_api_is_paged_by_offset_and_limit(settings):
    with FakeCkan() as fake:
        settings.CA_GRANTS_API_BASE = fake.base_url
        client = ca_portal.CaPortalClient(page_size=20)
        sync = catalog_sync_ca_portal(client=client, today=SNAPSHOT_DAY)
    assert (sync.status, sync.new, sync.api_calls) == (SearchRunStatus.SUCCESS, 50, 3)
    assert [(r["offset"], r["limit"]) for r in fake.requests] == [("0", "20"), ("20", "20"), ("40", "20")]
    assert fake.requests[0]["resource_id"] == "111c8c88-21f6-453c-ae2c-b4785a0624f5"


def test_a_failing_page_keeps_what_came_before_and_destroys_nothing(settings):
    catalog_sync_ca_portal(path=DUMP, today=SNAPSHOT_DAY)
    before = list(Opportunity.objects.order_by("pk").values())
    with FakeCkan() as fake:
        settings.CA_GRANTS_API_BASE = fake.base_url
        fake.fail_from_offset = 20
        sync = catalog_sync_ca_portal(client=ca_portal.CaPortalClient(page_size=20), today=SNAPSHOT_DAY)
    assert sync.status == SearchRunStatus.PARTIAL
    assert 'Not found: Resource "111c8c88-21f6-453c-ae2c-b4785a0624f5" was not found.' in sync.error_message
    assert (sync.unchanged, sync.new) == (20, 0)
    assert list(Opportunity.objects.order_by("pk").values()) == before


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("ok_but_failed", "data.ca.gov answered HTTP 200: Validation Error"),
        ("cut_body", "data.ca.gov did not answer: ChunkedEncodingError"),
    ],
)
def test_a_200_carrying_an_error_or_a_partial_body_fails_the_sync(settings, fault, message):
    with FakeCkan() as fake:
        settings.CA_GRANTS_API_BASE = fake.base_url
        setattr(fake, fault, True)
        sync = catalog_sync_ca_portal(today=SNAPSHOT_DAY)
    assert sync.status == SearchRunStatus.FAILED
    assert not Opportunity.objects.exists()
    assert sync.error_message == message


def test_the_command_reads_a_dump_and_refuses_a_file_that_is_not_one(tmp_path):
    out = StringIO()
    call_command("sync_grants", "--source", "ca-portal", str(DUMP), "--no-alerts", stdout=out)
    assert "ca-portal-dump: success - new 50" in out.getvalue()
    wrong = tmp_path / "other.json"
    wrong.write_text(json.dumps({"fields": [{"id": "_id"}], "records": [[1]]}))
    with pytest.raises(CommandError, match="not a California Grants Portal dump"):
        call_command("sync_grants", "--source", "ca-portal", str(wrong), "--no-alerts", stdout=StringIO(),
                     stderr=StringIO())  # fmt: skip
    assert CatalogSync.objects.filter(status=SearchRunStatus.FAILED).count() == 1
    assert Opportunity.objects.count() == 50


def test_a_record_the_portal_no_longer_lists_is_closed(settings):
    catalog_sync_ca_portal(path=DUMP, today=SNAPSHOT_DAY)
    with FakeCkan() as fake:
        settings.CA_GRANTS_API_BASE = fake.base_url
        fake.rows = [row for row in fake.rows if row["PortalID"] != "117507"]  # withdrawn from the portal
        sync = catalog_sync_ca_portal(today=SNAPSHOT_DAY)
    assert (sync.status, sync.closed, sync.unchanged) == (SearchRunStatus.SUCCESS, 1, 49)
    assert Opportunity.objects.get(source="ca-portal", external_id="117507").status == OpportunityStatus.CLOSED
    assert Opportunity.objects.filter(source="ca-portal", status="posted").count() == 32
