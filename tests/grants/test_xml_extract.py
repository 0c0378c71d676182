"""The XML extract importer, on files written in the extract's format."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from grants.criteria import OpportunityStatus
from grants.models import CatalogSync, Opportunity, SearchRunStatus
from grants.services import catalog_sync_xml
from grants.sources.grantsgov_xml import ExtractError, iter_extract
from tests.factories import OpportunityFactory

TODAY = date(2026, 11, 26)

EXTRACT = """<?xml version="1.0" encoding="UTF-8"?>
<Grants xmlns="http://apply.grants.gov/system/OpportunityDetail-V1.0">
<OpportunitySynopsisDetail_1_0>
  <OpportunityID>355211</OpportunityID>
  <OpportunityTitle>Rural Health Outreach</OpportunityTitle>
  <OpportunityNumber>HRSA-27-001</OpportunityNumber>
  <OpportunityCategory>D</OpportunityCategory>
  <FundingInstrumentType>G</FundingInstrumentType>
  <CategoryOfFundingActivity>HL</CategoryOfFundingActivity>
  <CategoryOfFundingActivity>CD</CategoryOfFundingActivity>
  <CFDANumbers>93.ECH</CFDANumbers>
  <EligibleApplicants>12</EligibleApplicants>
  <EligibleApplicants>13</EligibleApplicants>
  <AdditionalInformationOnEligibility>Rural nonprofits only.</AdditionalInformationOnEligibility>
  <AgencyCode>HHS-HRSA</AgencyCode>
  <AgencyName>Health Resources and Services Administration</AgencyName>
  <PostDate>10112026</PostDate>
  <CloseDate>01152027</CloseDate>
  <LastUpdatedDate>10122026</LastUpdatedDate>
  <AwardCeiling>500000</AwardCeiling>
  <AwardFloor>0</AwardFloor>
  <EstimatedTotalProgramFunding>5000000</EstimatedTotalProgramFunding>
  <ExpectedNumberOfAwards>10</ExpectedNumberOfAwards>
  <Description>&lt;p&gt;Clinics in &lt;b&gt;Louisiana&lt;/b&gt;&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</Description>
  <Version>Synopsis 2</Version>
  <CostSharingOrMatchingRequirement>No</CostSharingOrMatchingRequirement>
  <ArchiveDate>02142027</ArchiveDate>
  <AdditionalInformationURL>https://www.hrsa.gov/grants/355211</AdditionalInformationURL>
</OpportunitySynopsisDetail_1_0>
<OpportunityForecastDetail_1_0>
  <OpportunityID>363917</OpportunityID>
  <OpportunityTitle>Tribal Solar Forecast</OpportunityTitle>
  <CategoryOfFundingActivity>EN</CategoryOfFundingActivity>
  <EligibleApplicants>07</EligibleApplicants>
  <AgencyCode>DOE-EERE</AgencyCode>
  <AgencyName>Energy Efficiency and Renewable Energy</AgencyName>
  <PostDate>11012026</PostDate>
  <AwardCeiling>none</AwardCeiling>
  <AwardFloor>none</AwardFloor>
  <Description>Plain text forecast.</Description>
  <CostSharingOrMatchingRequirement>Yes</CostSharingOrMatchingRequirement>
  <EstimatedSynopsisPostDate>01052027</EstimatedSynopsisPostDate>
  <FiscalYear>2027</FiscalYear>
</OpportunityForecastDetail_1_0>
<OpportunitySynopsisDetail_1_0>
  <OpportunityID>356612</OpportunityID>
  <OpportunityTitle>Exchange Programs, Rolling</OpportunityTitle>
  <EligibleApplicants>99</EligibleApplicants>
  <PostDate>01022025</PostDate>
  <CloseDate>01012099</CloseDate>
  <AwardCeiling>$1,200,000</AwardCeiling>
</OpportunitySynopsisDetail_1_0>
<OpportunitySynopsisDetail_1_0>
  <OpportunityID>100001</OpportunityID>
  <OpportunityTitle>Long Closed</OpportunityTitle>
  <PostDate>01022020</PostDate>
  <CloseDate>03012020</CloseDate>
</OpportunitySynopsisDetail_1_0>
<OpportunitySynopsisDetail_1_0>
  <OpportunityTitle>No identifier</OpportunityTitle>
</OpportunitySynopsisDetail_1_0>
</Grants>
"""


@pytest.fixture
def extract(tmp_path):
    path = tmp_path / "GrantsDBExtract20261126v2.xml"
    path.write_text(EXTRACT)
    return path


def test_it_streams_records_in_the_extract_format(extract):
    items = list(iter_extract(extract))
    records = [item for item in items if not isinstance(item, Exception)]
    assert [r.external_id for r in records] == ["355211", "363917", "356612", "100001"]
    clinic, forecast, rolling, _closed = records
    assert clinic.categories == ["HL", "CD"] and clinic.eligible_applicants == ["12", "13"]
    assert clinic.cfda_numbers == ["93.ECH"]  # alphanumeric ALNs occur; not validated strictly
    assert (clinic.post_date, clinic.close_date, clinic.archive_date) == (
        date(2026, 10, 11),
        date(2027, 1, 15),
        date(2027, 2, 14),
    )
    assert clinic.award_ceiling == 500000 and clinic.award_floor is None and clinic.cost_sharing is False
    assert "<b>Louisiana</b>" in clinic.description_html and "script" not in clinic.description_html
    assert forecast.is_forecast and forecast.close_date is None and forecast.award_ceiling is None
    assert forecast.description_html == "<p>Plain text forecast.</p>" and forecast.cost_sharing is True
    assert rolling.is_rolling and rolling.close_date is None and rolling.award_ceiling == 1200000
    assert [str(item) for item in items if isinstance(item, Exception)] == [
        "a record without OpportunityID or OpportunityTitle"
    ]


@pytest.mark.django_db
def test_it_imports_an_extract_and_counts_what_changed(extract):
    sync = catalog_sync_xml(path=extract, today=TODAY)
    assert (sync.new, sync.updated, sync.failed, sync.status) == (4, 0, 1, SearchRunStatus.PARTIAL)
    statuses = dict(Opportunity.objects.values_list("external_id", "status"))
    assert statuses == {
        "355211": OpportunityStatus.POSTED,
        "363917": OpportunityStatus.FORECASTED,
        "356612": OpportunityStatus.POSTED,
        "100001": OpportunityStatus.CLOSED,
    }
    assert Opportunity.objects.filter(search="louisiana").get().external_id == "355211"

    again = catalog_sync_xml(path=extract, today=date(2027, 1, 20))  # the clinic has closed since
    assert (again.new, again.updated, again.unchanged, again.closed) == (0, 1, 3, 1)
    assert Opportunity.objects.get(external_id="355211").changed_fields == ["status"]


@pytest.mark.django_db
def test_it_reads_the_xml_inside_a_zip(extract, tmp_path):
    archive = tmp_path / "GrantsDBExtract20261126v2.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(extract, extract.name)
    assert catalog_sync_xml(path=archive, today=TODAY).new == 4


@pytest.mark.django_db
def test_it_prefers_the_synopsis_to_a_later_forecast_of_the_same_opportunity(tmp_path):
    path = tmp_path / "both.xml"
    path.write_text(
        '<Grants xmlns="http://apply.grants.gov/system/OpportunityDetail-V1.0">'
        "<OpportunitySynopsisDetail_1_0><OpportunityID>7</OpportunityID><OpportunityTitle>Posted</OpportunityTitle>"
        "<CloseDate>01152027</CloseDate></OpportunitySynopsisDetail_1_0>"
        "<OpportunityForecastDetail_1_0><OpportunityID>7</OpportunityID><OpportunityTitle>Forecast</OpportunityTitle>"
        "</OpportunityForecastDetail_1_0></Grants>"
    )
    catalog_sync_xml(path=path, today=TODAY)
    assert Opportunity.objects.get(external_id="7").title == "Posted"


@pytest.mark.django_db
def test_it_fails_clearly_on_a_file_that_is_not_an_extract(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<html><body>not it</body></html>")
    with pytest.raises(ExtractError):
        list(iter_extract(path))
    sync = catalog_sync_xml(path=path, today=TODAY)
    assert sync.status == SearchRunStatus.FAILED and "not a Grants.gov extract" in sync.error_message
    broken = tmp_path / "broken.xml"
    broken.write_text('<Grants xmlns="http://apply.grants.gov/system/OpportunityDetail-V1.0"><Oppo')
    assert catalog_sync_xml(path=broken, today=TODAY).status == SearchRunStatus.FAILED
    assert not CatalogSync.objects.filter(status=SearchRunStatus.IN_PROGRESS).exists()


@pytest.mark.django_db
def test_it_syncs_from_the_command_line(extract, capsys):
    call_command("sync_grants", "--source", "grantsgov-xml", str(extract))
    out = capsys.readouterr().out
    assert "grantsgov-xml: partial - new 4, updated 0, closed 0, failed 1, unchanged 0" in out
    with pytest.raises(CommandError, match="needs the path"):
        call_command("sync_grants", "--source", "grantsgov-xml")
    with pytest.raises(CommandError, match="The sync failed"):
        call_command("sync_grants", "--source", "grantsgov-xml", str(extract.with_name("missing.xml")))


@pytest.mark.django_db
def test_it_loads_the_demo_catalog_as_sample_data(capsys):
    call_command("sync_grants", "--source", "demo")
    assert "demo: success - new 300" in capsys.readouterr().out
    opportunities = Opportunity.objects.filter(source="demo")
    assert opportunities.count() == 300
    assert opportunities.filter(status=OpportunityStatus.POSTED).count() > 150
    assert opportunities.filter(is_forecast=True).exists() and opportunities.filter(is_rolling=True).exists()
    assert all("Sample data" in text for text in opportunities.values_list("description_text", flat=True))
    assert len({tuple(c) for c in opportunities.values_list("categories", flat=True)}) > 10
    call_command("sync_grants", "--source", "demo")
    assert "new 0, updated 0, closed 0, failed 0, unchanged 300" in capsys.readouterr().out


RECORDED_EXTRACT = Path(__file__).parent / "recorded" / "extract_131073_usgs.xml"


@pytest.mark.django_db
def test_it_imports_a_recorded_extract_record():
    sync = catalog_sync_xml(path=RECORDED_EXTRACT, today=TODAY)
    assert (sync.status, sync.new) == (SearchRunStatus.SUCCESS, 1)
    cesu = Opportunity.objects.get(external_id="131073")
    assert cesu.title == "Cooperative Ecosystem Studies Unit, Piedmont South Atlantic Coast CESU"
    assert (cesu.award_ceiling, cesu.award_floor, cesu.estimated_total_funding) == (None, None, 31900)
    assert cesu.status == OpportunityStatus.ARCHIVED and cesu.agency_code == "DOI-USGS1"
    assert "CESUs are partnerships" in cesu.eligibility_text


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["truncated xml", "truncated zip", "corrupt zip"])
def test_a_damaged_extract_fails_without_closing_or_changing_anything(tmp_path, damage):
    catalog_sync_xml(path=RECORDED_EXTRACT, today=TODAY)
    ended = OpportunityFactory(close_date=date(2026, 11, 1), status=OpportunityStatus.POSTED)  # would close
    before = {o.pk: (o.title, o.status, o.content_hash, o.updated_at) for o in Opportunity.objects.all()}
    real = RECORDED_EXTRACT.read_text()
    record = real[real.index("<OpportunitySynopsisDetail_1_0>") : real.index("</Grants>")]
    changed = record.replace("Piedmont South Atlantic Coast CESU", "Renamed CESU")
    newcomer = record.replace("<OpportunityID>131073<", "<OpportunityID>131074<")
    # Two whole records (a change and a new one) and then the file breaks off.
    text = real.replace(record, changed + newcomer * 1200)[:-4000]
    if damage == "truncated xml":
        path = tmp_path / "GrantsDBExtract20261126v2.xml"
        path.write_text(text)
    else:
        path = tmp_path / "GrantsDBExtract20261126v2.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("GrantsDBExtract20261126v2.xml", real.replace(record, changed + newcomer * 1200))
        data = bytearray(path.read_bytes())
        if damage == "truncated zip":
            data = data[: len(data) // 2]
        else:
            middle = len(data) // 2
            data[middle : middle + 64] = bytes(64)
        path.write_bytes(bytes(data))
    sync = catalog_sync_xml(path=path, today=TODAY)
    assert sync.status == SearchRunStatus.FAILED, sync.error_message
    assert (sync.new, sync.updated, sync.closed) == (0, 0, 0)
    assert {o.pk: (o.title, o.status, o.content_hash, o.updated_at) for o in Opportunity.objects.all()} == before
    assert Opportunity.objects.get(pk=ended.pk).status == OpportunityStatus.POSTED


@pytest.mark.django_db
def test_an_unchanged_record_is_not_normalised_again(extract, monkeypatch):
    from grants.sources import grantsgov_xml

    normalised = []
    original = grantsgov_xml.record_from_fields

    def counting(values, **kwargs):
        normalised.append(values["OpportunityID"])
        return original(values, **kwargs)

    monkeypatch.setattr(grantsgov_xml, "record_from_fields", counting)
    catalog_sync_xml(path=extract, today=TODAY)
    assert sorted(normalised) == ["100001", "355211", "356612", "363917"]
    stored = dict(Opportunity.objects.values_list("external_id", "source_hash"))
    assert all(len(digest) == 32 for digest in stored.values())

    normalised.clear()
    again = catalog_sync_xml(path=extract, today=TODAY)
    assert normalised == []  # nothing sanitised or parsed again
    assert (again.new, again.updated, again.unchanged, again.failed) == (0, 0, 4, 1)

    extract.write_text(EXTRACT.replace("Rural Health Outreach", "Rural Health Outreach II"))
    normalised.clear()
    changed = catalog_sync_xml(path=extract, today=TODAY)
    assert normalised == ["355211"]
    assert (changed.updated, changed.unchanged) == (1, 3)
    assert Opportunity.objects.get(external_id="355211").title == "Rural Health Outreach II"

    # Stored before source digests existed (or by an older normaliser): normalised once, then skipped.
    Opportunity.objects.update(source_hash="")
    normalised.clear()
    restamped = catalog_sync_xml(path=extract, today=TODAY)
    assert len(normalised) == 4 and (restamped.updated, restamped.unchanged) == (0, 4)
    normalised.clear()
    catalog_sync_xml(path=extract, today=TODAY)
    assert normalised == []

    # Unchanged in the file, but its archive date has passed since: its status is brought up to date.
    normalised.clear()
    later = catalog_sync_xml(path=extract, today=date(2027, 3, 1))
    assert "355211" in normalised and later.updated >= 1
    assert Opportunity.objects.get(external_id="355211").status == OpportunityStatus.ARCHIVED
