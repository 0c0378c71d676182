"""The Grants.gov API adapter against a fake Grants.gov speaking the documented JSON."""

from __future__ import annotations

from datetime import date

import pytest

from grants.models import CatalogSync, Opportunity, OpportunityStatus, SearchRunStatus
from grants.services import catalog_sync_api
from grants.sources.grantsgov import GrantsGovClient, GrantsGovError, record_from_detail, record_from_hit
from tests.grants.fake_grantsgov import forecast_detail, hit, synopsis_detail

TODAY = date(2026, 11, 26)


def test_it_reads_both_hit_spellings(fake_grantsgov):
    official = record_from_hit(hit("1", "Clinics", legacy_spelling=True))
    live = record_from_hit(hit("2", "Clinics"))
    assert official.agency_name == live.agency_name == "Health Resources and Services Administration"
    assert official.cfda_numbers == live.cfda_numbers == ["93.223"]
    assert live.post_date == date(2026, 10, 11) and live.close_date == date(2027, 1, 15)


def test_it_reads_a_synopsis_from_its_block():
    record = record_from_detail(synopsis_detail("327723", "Rural clinics"))
    assert record.external_id == "327723"
    assert record.close_date == date(2027, 1, 15)
    assert record.post_date == date(2026, 10, 11)
    assert record.archive_date == date(2027, 2, 14)
    assert record.award_ceiling == 500000 and record.award_floor is None  # "0" means not given
    assert record.expected_awards == 10
    assert record.eligible_applicants == ["12"] and record.categories == ["HL"]
    assert "<script>" not in record.description_html and "<b>rural health</b>" in record.description_html
    assert record.is_forecast is False and record.cost_sharing is False


def test_it_reads_plain_dates_when_the_str_fields_are_missing():
    detail = synopsis_detail("5", "Plain dates", responseDateStr="", postingDateStr="")
    record = record_from_detail(detail)
    assert record.close_date == date(2027, 1, 15) and record.post_date == date(2026, 10, 11)


def test_it_reads_a_forecast_only_record():
    record = record_from_detail(forecast_detail("363917", "Tribal solar"))
    assert record.is_forecast is True
    assert record.close_date is None and record.is_rolling is False
    assert record.award_ceiling is None and record.estimated_total_funding is None
    assert record.cost_sharing is True and record.eligible_applicants == ["07"]
    assert record.status_on(TODAY) == OpportunityStatus.FORECASTED


def test_it_turns_a_2099_close_date_into_rolling():
    detail = synopsis_detail("6", "Any time", responseDateStr="2099-01-01-00-00-00", responseDateDesc="undefined")
    record = record_from_detail(detail)
    assert record.close_date is None and record.is_rolling is True and record.close_date_text == ""


def test_it_pages_through_search2(fake_grantsgov, monkeypatch):
    monkeypatch.setattr("grants.sources.grantsgov.PAGE_SIZE", 3)
    fake_grantsgov.hits = [hit(str(i), f"Opportunity {i}") for i in range(7)]
    ids = [h["id"] for h in GrantsGovClient().iter_hits()]
    assert ids == [str(i) for i in range(7)]
    assert [body["startRecordNum"] for body in fake_grantsgov.calls("search2")] == [0, 3, 6]
    assert all(body["oppStatuses"] == "forecasted|posted" for body in fake_grantsgov.calls("search2"))


def test_it_refuses_unknown_search_keys(fake_grantsgov):
    with pytest.raises(ValueError):
        GrantsGovClient().search(aln="93.223")
    assert fake_grantsgov.requests == []


def test_it_answers_none_for_an_unknown_opportunity(fake_grantsgov):
    assert GrantsGovClient().fetch("424242") is None


def test_it_raises_on_http_errors_and_timeouts(fake_grantsgov):
    fake_grantsgov.fail["search2"] = 503
    with pytest.raises(GrantsGovError, match="HTTP 503"):
        GrantsGovClient().search(rows=1)
    fake_grantsgov.hang.add("fetchOpportunity")
    with pytest.raises(GrantsGovError, match="no answer within 0.5 s"):
        GrantsGovClient().fetch("1")


@pytest.mark.django_db
def test_it_syncs_every_open_opportunity(fake_grantsgov):
    fake_grantsgov.hits = [hit("101", "Rural clinics"), hit("102", "Tribal solar", status="forecasted")]
    fake_grantsgov.details = {
        "101": synopsis_detail("101", "Rural clinics"),
        "102": forecast_detail("102", "Tribal solar"),
    }
    sync = catalog_sync_api(today=TODAY)
    assert (sync.status, sync.new, sync.updated, sync.failed) == (SearchRunStatus.SUCCESS, 2, 0, 0)
    assert sync.api_calls == 3  # one search page, two details
    clinics = Opportunity.objects.get(source="grantsgov", external_id="101")
    assert clinics.status == OpportunityStatus.POSTED and clinics.award_ceiling == 500000
    assert "rural health" in clinics.description_text
    assert Opportunity.objects.get(external_id="102").status == OpportunityStatus.FORECASTED

    # Again: nothing new; the changed one is updated with what changed; the unlisted one closes.
    fake_grantsgov.hits = [hit("101", "Rural clinics")]
    fake_grantsgov.details["101"] = synopsis_detail("101", "Rural clinics", awardCeiling="750000")
    again = catalog_sync_api(today=TODAY)
    assert (again.new, again.updated, again.closed, again.unchanged) == (0, 1, 1, 0)
    clinics.refresh_from_db()
    assert clinics.award_ceiling == 750000 and clinics.changed_fields == ["award_ceiling"]
    assert Opportunity.objects.get(external_id="102").status == OpportunityStatus.CLOSED


@pytest.mark.django_db
def test_it_ends_partial_when_a_detail_times_out(fake_grantsgov):
    fake_grantsgov.hits = [hit("201", "Works")]
    fake_grantsgov.details = {"201": synopsis_detail("201", "Works")}
    fake_grantsgov.hang.add("fetchOpportunity")
    sync = catalog_sync_api(today=TODAY)
    assert sync.status == SearchRunStatus.PARTIAL
    assert sync.failed == 1 and "no answer within" in sync.errors[0]
    assert CatalogSync.objects.filter(status=SearchRunStatus.IN_PROGRESS).count() == 0


@pytest.mark.django_db
def test_it_ends_failed_when_search_answers_an_http_error(fake_grantsgov):
    fake_grantsgov.fail["search2"] = 500
    sync = catalog_sync_api(today=TODAY)
    assert sync.status == SearchRunStatus.FAILED
    assert sync.error_message == "search2: HTTP 500"
    assert Opportunity.objects.count() == 0


@pytest.mark.django_db
def test_it_keeps_what_it_got_when_paging_breaks_midway(fake_grantsgov, monkeypatch):
    monkeypatch.setattr("grants.sources.grantsgov.PAGE_SIZE", 2)
    fake_grantsgov.hits = [hit(str(i), f"Opportunity {i}") for i in range(300, 305)]
    fake_grantsgov.details = {str(i): synopsis_detail(str(i), f"Opportunity {i}") for i in range(300, 305)}
    fake_grantsgov.fail_search_from = 2
    sync = catalog_sync_api(today=TODAY)
    assert sync.status == SearchRunStatus.PARTIAL and sync.error_message == "search2: HTTP 500"
    assert sync.new == 2 and sync.closed == 0  # an incomplete listing closes nothing


@pytest.mark.django_db
def test_it_syncs_the_api_from_the_command_line(fake_grantsgov, capsys):
    from django.core.management import call_command

    fake_grantsgov.hits = [hit("501", "Rural clinics"), hit("502", "Listed but gone")]
    fake_grantsgov.details = {"501": synopsis_detail("501", "Rural clinics")}  # 502: "no record found"
    call_command("sync_grants", "--source", "grantsgov-api", "--no-alerts")
    assert "grantsgov-api: success - new 2, updated 0, closed 0, failed 0, unchanged 0, API calls 3" in (
        capsys.readouterr().out
    )
    assert Opportunity.objects.get(external_id="502").title == "Listed but gone"  # kept from the hit
