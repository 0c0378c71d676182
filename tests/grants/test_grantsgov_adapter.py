"""The Grants.gov API adapter and sync, against a fake Grants.gov playing back recorded answers."""

from __future__ import annotations

from datetime import date

import pytest

from grants.criteria import OpportunityStatus
from grants.models import CatalogSync, Opportunity, SearchRunStatus
from grants.services import catalog_sync_api
from grants.sources.grantsgov import GrantsGovClient, GrantsGovError, record_from_detail, record_from_hit
from tests.grants.fake_grantsgov import recorded, recorded_detail, recorded_hit, recorded_hits

TODAY = date(2026, 9, 1)
HRSA = "fetch_363423_posted_synopsis.json"
FORECAST = "fetch_363917_forecast.json"
NSF = "fetch_363621_nsf_rolling_2076.json"
DOS = "fetch_355211_dos_2099_undefined.json"
DOD = "fetch_356612_dod_zero_ceiling.json"
OLDER = "fetch_older_top_level_shape.json"
BACKEND_DOWN = "fetch_backend_unavailable.json"


def test_it_reads_both_hit_spellings():
    live = record_from_hit(recorded_hit("363423"))
    official = record_from_hit(recorded_hit("363423", "search2_hits_official_spelling.json"))
    assert official.agency_name == live.agency_name == "Health Resources and Services Administration"
    assert official.cfda_numbers == live.cfda_numbers == ["93.224"]
    assert live.post_date == date(2026, 9, 18) and live.close_date == date(2026, 10, 19)
    forecast = record_from_hit(recorded_hit("361918"))
    assert forecast.is_forecast and forecast.close_date is None


def test_it_reads_a_posted_synopsis_from_its_block_not_the_stale_forecast():
    record = record_from_detail(recorded_detail(HRSA))
    assert record.external_id == "363423" and record.number == "HRSA-27-005"
    assert (record.post_date, record.close_date, record.archive_date) == (
        date(2026, 9, 18),
        date(2026, 10, 19),
        date(2027, 10, 2),
    )
    assert (record.award_ceiling, record.award_floor, record.estimated_total_funding, record.expected_awards) == (
        10116100,
        650000,
        267773700,
        63,
    )
    assert record.eligible_applicants == ["02", "07"] and record.categories == ["HL"]
    assert record.funding_instruments == ["G"] and record.cfda_numbers == ["93.224"]
    assert record.description_html.startswith("<p>The FY 2027 Health Center Program")
    assert record.close_date_text.startswith("Electronically submitted applications")
    assert record.is_forecast is False and record.cost_sharing is False


def test_it_reads_a_forecast():
    record = record_from_detail(recorded_detail(FORECAST))
    assert record.is_forecast is True and record.status_on(TODAY) == OpportunityStatus.FORECASTED
    assert record.close_date == date(2027, 4, 19) and record.post_date == date(2026, 9, 22)
    assert (record.award_ceiling, record.award_floor, record.expected_awards) == (900000, 750000, 6)
    assert record.eligible_applicants == ["07", "12", "00"] and record.funding_instruments == ["CA"]
    assert "biomonitoring" in record.description_html


def test_it_reads_nsfs_rolling_2076_date():
    record = record_from_detail(recorded_detail(NSF))
    assert record.close_date is None and record.is_rolling is True
    assert record.close_date_text == "Proposals accepted anytime"
    assert record.award_ceiling is None and record.award_floor is None and record.expected_awards is None
    assert record.estimated_total_funding == 180000000 and record.cfda_numbers == ["47.049"]


def test_it_reads_dos_2099_undefined():
    record = record_from_detail(recorded_detail(DOS))
    assert record.close_date is None and record.is_rolling is True and record.close_date_text == ""
    assert record.cost_sharing is True and record.award_ceiling == 25000 and record.award_floor == 500
    assert record.agency_name == "U.S. Mission to Tunisia"


def test_it_reads_dods_zero_ceilings_as_not_given():
    record = record_from_detail(recorded_detail(DOD))
    assert record.award_ceiling is None and record.award_floor is None
    assert record.estimated_total_funding == 500000000 and record.close_date == date(2034, 9, 30)
    assert record.funding_instruments == ["CA", "G"] and record.eligible_applicants == ["99"]


def test_it_reads_the_older_top_level_shape():
    record = record_from_detail(recorded_detail(OLDER))
    assert record.categories == ["ED"] and record.funding_instruments == ["CA", "G"]
    assert record.eligible_applicants == ["01", "22", "20", "25", "02", "04", "06", "13", "00", "12", "05"]
    assert record.close_date == date(2016, 8, 4) and record.archive_date == date(2016, 9, 3)
    assert record.close_date_text == (
        "Application Package Available: May 19, 2016\nDeadline for Transmittal of Applications: August 4, 2016."
    )
    # Plain text: blank lines make paragraphs, single line breaks stay line breaks.
    paragraphs = record.description_html.split("</p><p>")
    assert len(paragraphs) == 3 and paragraphs[0].startswith("<p>Note: Each funding opportunity")
    assert "areas of demonstrated national need.<br>Competitions in This Notice:" in paragraphs[1]


def test_it_pages_through_search2(fake_grantsgov, monkeypatch):
    monkeypatch.setattr("grants.sources.grantsgov.PAGE_SIZE", 2)
    fake_grantsgov.hits = [hit for hit in recorded_hits() if hit["oppStatus"] in ("posted", "forecasted")]
    ids = [h["id"] for h in GrantsGovClient().iter_hits()]
    assert ids == [h["id"] for h in fake_grantsgov.hits] and len(ids) == 5
    assert [body["startRecordNum"] for body in fake_grantsgov.calls("search2")] == [0, 2, 4]
    assert all(body["oppStatuses"] == "forecasted|posted" for body in fake_grantsgov.calls("search2"))


def test_it_refuses_unknown_search_keys(fake_grantsgov):
    with pytest.raises(ValueError):
        GrantsGovClient().search(aln="93.223")
    assert fake_grantsgov.requests == []


def test_it_answers_none_only_for_the_recorded_not_found(fake_grantsgov):
    assert GrantsGovClient().fetch("424242") is None


@pytest.mark.parametrize(
    "answer, message",
    [
        (BACKEND_DOWN, "the webservice at the backend server"),
        ("fetch_id_required.json", "Opportunity ID or opportunity number is required."),
    ],
)
def test_a_200_carrying_an_error_raises(fake_grantsgov, answer, message):
    fake_grantsgov.answers["363423"] = recorded(answer)
    with pytest.raises(GrantsGovError, match=message):
        GrantsGovClient().fetch("363423")


def test_it_raises_on_http_errors_timeouts_and_cut_off_bodies(fake_grantsgov):
    fake_grantsgov.fail["search2"] = 503
    with pytest.raises(GrantsGovError, match="HTTP 503"):
        GrantsGovClient().search(rows=1)
    fake_grantsgov.details["363423"] = HRSA
    fake_grantsgov.truncate.add("fetchOpportunity")
    with pytest.raises(GrantsGovError):
        GrantsGovClient().fetch("363423")
    fake_grantsgov.hang.add("fetchOpportunity")
    with pytest.raises(GrantsGovError, match="no answer within 0.5 s"):
        GrantsGovClient().fetch("363423")


@pytest.mark.django_db
def test_it_syncs_every_open_opportunity(fake_grantsgov):
    fake_grantsgov.serve(HRSA, FORECAST, NSF, DOS, DOD)
    sync = catalog_sync_api(today=TODAY)
    assert (sync.status, sync.new, sync.updated, sync.failed) == (SearchRunStatus.SUCCESS, 5, 0, 0)
    assert sync.api_calls == 6  # one search page, five details
    hrsa = Opportunity.objects.get(source="grantsgov", external_id="363423")
    assert hrsa.status == OpportunityStatus.POSTED and hrsa.award_ceiling == 10116100
    assert Opportunity.objects.get(external_id="363917").status == OpportunityStatus.FORECASTED
    assert Opportunity.objects.get(external_id="363621").is_rolling

    # Again: the changed one is updated with what changed; the unlisted one closes.
    changed = recorded_detail(HRSA)
    changed["synopsis"]["awardCeiling"] = "10500000"
    fake_grantsgov.hits = [h for h in fake_grantsgov.hits if h["id"] != "363917"]
    fake_grantsgov.details["363423"] = changed
    again = catalog_sync_api(today=TODAY)
    assert (again.new, again.updated, again.closed, again.unchanged) == (0, 1, 1, 3)
    hrsa.refresh_from_db()
    assert hrsa.award_ceiling == 10500000 and hrsa.changed_fields == ["award_ceiling"]
    assert Opportunity.objects.get(external_id="363917").status == OpportunityStatus.CLOSED


FULL_FIELDS = ("title", "description", "eligibility_text", "award_ceiling", "award_floor", "expected_awards")


@pytest.mark.django_db
def test_a_backend_unavailable_detail_keeps_the_full_record_and_ends_partial(fake_grantsgov):
    fake_grantsgov.serve(DOS, HRSA)
    assert catalog_sync_api(today=TODAY).status == SearchRunStatus.SUCCESS
    before = Opportunity.objects.get(external_id="355211")
    assert before.description and before.eligibility_text and before.award_ceiling == 25000

    fake_grantsgov.answers["355211"] = recorded(BACKEND_DOWN)
    sync = catalog_sync_api(today=TODAY)
    assert sync.status == SearchRunStatus.PARTIAL and sync.failed == 1
    assert sync.error_message.startswith("1 opportunity detail(s) could not be fetched from Grants.gov")
    assert "the webservice at the backend server" in sync.errors[0]
    after = Opportunity.objects.get(external_id="355211")
    assert [getattr(after, f) for f in FULL_FIELDS] == [getattr(before, f) for f in FULL_FIELDS]
    assert after.status == OpportunityStatus.POSTED and after.updated_at == before.updated_at

    # The next sync fetches it again.
    del fake_grantsgov.answers["355211"]
    retried = catalog_sync_api(today=TODAY)
    assert retried.status == SearchRunStatus.SUCCESS and retried.failed == 0
    assert "355211" in [body["opportunityId"] for body in fake_grantsgov.calls("fetchOpportunity")[-2:]]


EMPTY_DATA = {
    "status": 200,
    "body": {"errorcode": 0, "msg": "Webservice Succeeds", "token": "fixture-token", "data": {}},
}


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["timeout", "5xx", "truncated", "empty data", "id required"])
def test_no_failed_detail_overwrites_a_stored_record(fake_grantsgov, failure):
    fake_grantsgov.serve(DOD)
    catalog_sync_api(today=TODAY)
    before = Opportunity.objects.get(external_id="356612")
    if failure == "timeout":
        fake_grantsgov.hang.add("fetchOpportunity")
    elif failure == "5xx":
        fake_grantsgov.fail["fetchOpportunity"] = 502
    elif failure == "truncated":
        fake_grantsgov.truncate.add("fetchOpportunity")
    elif failure == "empty data":
        fake_grantsgov.answers["356612"] = EMPTY_DATA
    else:
        fake_grantsgov.answers["356612"] = recorded("fetch_id_required.json")
    sync = catalog_sync_api(today=TODAY)
    assert sync.status == SearchRunStatus.PARTIAL and sync.failed == 1 and sync.closed == 0
    after = Opportunity.objects.get(external_id="356612")
    assert (after.content_hash, after.updated_at, after.status) == (
        before.content_hash,
        before.updated_at,
        before.status,
    )


@pytest.mark.django_db
def test_it_stops_when_grantsgov_is_down_and_closes_nothing(fake_grantsgov, monkeypatch):
    monkeypatch.setattr("grants.services.catalog.MAX_DETAIL_FAILURES_IN_A_ROW", 2)
    fake_grantsgov.serve(HRSA, NSF, DOS)
    catalog_sync_api(today=TODAY)
    for opp_id in ("363423", "363621", "355211"):
        fake_grantsgov.answers[opp_id] = recorded(BACKEND_DOWN)
    sync = catalog_sync_api(today=TODAY)
    assert sync.status == SearchRunStatus.FAILED
    assert sync.error_message.startswith("Grants.gov stopped answering: 2 details in a row")
    assert len(fake_grantsgov.calls("fetchOpportunity")) == 3 + 2
    assert Opportunity.objects.filter(status=OpportunityStatus.POSTED).count() == 3


@pytest.mark.django_db
def test_it_ends_failed_when_search_answers_an_http_error(fake_grantsgov):
    fake_grantsgov.fail["search2"] = 500
    sync = catalog_sync_api(today=TODAY)
    assert sync.status == SearchRunStatus.FAILED
    assert sync.error_message == "search2: HTTP 500"
    assert Opportunity.objects.count() == 0
    assert CatalogSync.objects.filter(status=SearchRunStatus.IN_PROGRESS).count() == 0


@pytest.mark.django_db
def test_it_keeps_what_it_got_when_paging_breaks_midway(fake_grantsgov, monkeypatch):
    monkeypatch.setattr("grants.sources.grantsgov.PAGE_SIZE", 2)
    fake_grantsgov.serve(HRSA, FORECAST, NSF, DOS, DOD)
    catalog_sync_api(today=TODAY)
    fake_grantsgov.fail_search_from = 2
    sync = catalog_sync_api(today=TODAY)
    assert sync.status == SearchRunStatus.PARTIAL and sync.error_message == "search2: HTTP 500"
    assert sync.unchanged == 2 and sync.closed == 0  # an incomplete listing closes nothing


@pytest.mark.django_db
def test_it_syncs_the_api_from_the_command_line(fake_grantsgov, capsys):
    from django.core.management import call_command

    fake_grantsgov.serve(HRSA)
    fake_grantsgov.hits.append(recorded_hit("360874"))  # listed, but fetchOpportunity finds no record
    call_command("sync_grants", "--source", "grantsgov-api", "--no-alerts")
    assert "grantsgov-api: success - new 2, updated 0, closed 0, failed 0, unchanged 0, API calls 3" in (
        capsys.readouterr().out
    )
    thin = Opportunity.objects.get(external_id="360874")
    assert thin.title == "Atopic Dermatitis Research Network (ADRN) (U19 Clinical Trial Optional)"
