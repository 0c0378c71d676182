"""Importing real 990-PF returns (tests/funders/returns/, each naming its source) into funders."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from funders.models import Funder, FunderGrant, FunderReturn, FunderSync
from funders.services import funders_import
from funders.sources import irs990pf

pytestmark = pytest.mark.django_db

RETURNS = Path(__file__).parent / "returns"
MCNEIL = RETURNS / "201601249349100900_public.xml"  # 2015v2.0 layout
MILLMAN = RETURNS / "201401439349100200_public.xml"  # 2013v3.0: new groups, old leaf names, preselected
OLD_2012 = RETURNS / "263352699_2012_small.xml"  # 2012v2.0: GrantOrContriPaidDuringYear, Amount


def _snapshot():
    return (
        list(Funder.objects.order_by("ein").values()),
        list(FunderReturn.objects.order_by("object_id").values()),
        list(FunderGrant.objects.order_by("id").values()),
    )


def test_a_2015_return_is_read_value_by_value():
    sync = funders_import(path=MCNEIL)
    assert (sync.status, sync.new, sync.grants) == ("success", 1, 4)
    funder = Funder.objects.get()
    assert funder.ein == "046662754"  # an EIN with a leading zero stays text
    assert funder.name == "MARGARET MCNEIL TR UW CHARITY CO TD BANK"
    assert (funder.address_line1, funder.city, funder.state, funder.zip_code) == (
        "PO BOX 1330",
        "HYANNIS",
        "MA",
        "02601",
    )
    assert (funder.tax_year, funder.total_assets, funder.total_grants_paid, funder.grants_count) == (
        2015,
        234286,
        12000,
        4,
    )
    assert funder.preselected_only is False and funder.accepts_applications
    filing = FunderReturn.objects.get()
    assert filing.object_id == "201601249349100900"
    assert filing.return_version == "2015v2.0"
    assert (filing.tax_period_begin, filing.tax_period_end) == (date(2015, 1, 1), date(2015, 12, 31))
    assert filing.filed_at.isoformat() == "2016-05-03T14:00:29+00:00"
    # Part XV line 2, all four groups as filed, apostrophes and all.
    assert len(funder.application) == 4
    assert funder.application[0] == {
        "contact": "School Principal",
        "address": "Pittsfield High School 300 East St, Pittsfield, MA 01201",
        "phone": "4134499535",
        "email": "",
        "form_and_materials": "Application submitted to the HS Principal",
        "deadlines": "None",
        "restrictions": "One student to be chosen per year to be selected by the school's principal",
    }
    grants = list(
        FunderGrant.objects.order_by("position").values_list(
            "recipient_name",
            "recipient_name_line2",
            "recipient_is_person",
            "recipient_city",
            "recipient_state",
            "recipient_zip",
            "foundation_status",
            "purpose",
            "amount",
            "kind",
            "tax_year",
        )
    )
    assert grants == [
        ("UNIVERSITY OF MASSACHUSETTS", "", True, "HYANNIS", "MA", "02601", "NONE", "SCHOLARSHIP", 2000, "paid", 2015),
        ("BENTLEY UNIVERSITY", "", True, "HYANNIS", "MA", "02601", "NONE", "SCHOLARSHIP", 2000, "paid", 2015),
        ("SETON HALL UNIVERSITY", "", True, "HYANNIS", "MA", "02601", "NONE", "SCHOLARSHIP", 2000, "paid", 2015),
        (
            "ST JOSEPH'S CHURCH",
            "ATTN REVEREND",
            False,
            "PITTSFIELD",
            "MA",
            "01201",
            "501(C)(3)",
            "OPERATIONAL",
            6000,
            "paid",
            2015,
        ),
    ]


def test_a_2013_return_in_the_mixed_layout_with_preselected_only():
    funders_import(path=MILLMAN)
    funder = Funder.objects.get()
    assert (funder.ein, funder.name, funder.city, funder.state, funder.zip_code) == (
        "141833603",
        "THE MILLMAN-HARRIS-ROMANO FOUNDATION",
        "POUGHKEEPSIE",
        "NY",
        "12601",
    )
    assert funder.website == "MHRFOUNDATION.ORG"
    assert funder.preselected_only is True and not funder.accepts_applications
    assert funder.application == []  # it ticks "preselected" and files no line 2
    assert (funder.total_grants_paid, funder.total_assets, funder.grants_count) == (53374, 1212306, 16)
    grants = FunderGrant.objects.order_by("position")
    assert sum(g.amount for g in grants) == 53374  # the rows add up to the filed 3a total
    media = grants.get(position=2)
    assert media.recipient_name == "CHILDREN'S MEDIA PROJECT"
    assert grants.get(position=3).purpose == "BENEFIT COLLEGE & SPONSORSHIP PROGRAM"  # &amp; decoded
    camp = grants.get(recipient_name="THE HOLE IN THE WALL GANG CAMP")
    assert (camp.recipient_state, camp.recipient_zip) == ("CT", "06278")
    # The preparer's name and address in the header are not the filer's.
    assert not Funder.objects.filter(name__contains="JUDELSON").exists()


def test_a_2012_return_in_the_older_layout():
    funders_import(path=OLD_2012)
    funder = Funder.objects.get()
    assert funder.ein == "263352699"  # the filer's EIN, not the preparer's that comes first
    assert (funder.tax_year, funder.total_grants_paid) == (2012, 180)
    rows = list(FunderGrant.objects.order_by("position").values_list("position", "recipient_name", "amount"))
    # Rows without optional elements come through as filed: an empty group, a named $0 row.
    assert rows == [(1, "BNOS SQUARE", 0), (2, "", 0), (3, "CONG TOLDOS YAAKOV YOSEF", 180)]


def test_person_recipients_and_foreign_addresses_in_both_layouts():
    # The element names of the two layouts (IRS e-file schemas 2012v2.0 and 2015v2.0), with values from
    # returns quoted by Nonprofit-Open-Data-Collective/concordance990's variable pages (PF_15_G_PAID_RECIP_*).
    older = b"""<Return xmlns="http://www.irs.gov/efile" returnVersion="2012v2.0"><ReturnHeader>
      <ReturnType>990PF</ReturnType><TaxYear>2012</TaxYear><Filer><EIN>000000012</EIN>
      <Name><BusinessNameLine1>MILDRED HITCHCOCK HUFF CHARITABLE TRUST</BusinessNameLine1></Name></Filer>
      </ReturnHeader><ReturnData><IRS990PF><SupplementaryInformation><GrantOrContriPaidDuringYear>
      <RecipientPersonName>A STUDENT</RecipientPersonName><RecipientForeignAddress>
      <AddressLine1>KNOCKARDBANE LISCARROL</AddressLine1><City>MALLOW</City><ProvinceOrState>CO CORK</ProvinceOrState>
      <Country>EI</Country><PostalCode>P51</PostalCode></RecipientForeignAddress>
      <RecipientFoundationStatus>NONE</RecipientFoundationStatus>
      <PurposeOfGrantOrContribution>EDUCATION</PurposeOfGrantOrContribution><Amount>1500</Amount>
      </GrantOrContriPaidDuringYear></SupplementaryInformation></IRS990PF></ReturnData></Return>"""
    newer = b"""<Return xmlns="http://www.irs.gov/efile" returnVersion="2013v3.0"><ReturnHeader>
      <ReturnTypeCd>990PF</ReturnTypeCd><TaxYr>2013</TaxYr><Filer><EIN>000000013</EIN>
      <BusinessName><BusinessNameLine1>JULIA LEE TAUBERT FOUNDATION</BusinessNameLine1></BusinessName></Filer>
      </ReturnHeader><ReturnData><IRS990PF><SupplementaryInformationGrp><GrantOrContributionPdDurYrGrp>
      <RecipientBusinessName><BusinessNameLine1Txt>FONDAZIONE</BusinessNameLine1Txt></RecipientBusinessName>
      <RecipientForeignAddress><AddressLine1Txt>VIA BERNADO RUCELLAI 9</AddressLine1Txt><CityNm>FLORENCE</CityNm>
      <CountryCd>IT</CountryCd><ForeignPostalCd>50123</ForeignPostalCd></RecipientForeignAddress>
      <GrantOrContributionPurposeTxt>ARTS</GrantOrContributionPurposeTxt><Amt>2500</Amt>
      </GrantOrContributionPdDurYrGrp></SupplementaryInformationGrp></IRS990PF></ReturnData></Return>"""
    from io import BytesIO

    old_line = irs990pf.parse_return(BytesIO(older), "a").grants[0]
    assert (old_line.recipient_name, old_line.recipient_is_person, old_line.amount) == ("A STUDENT", True, 1500)
    assert (old_line.address.line1, old_line.address.city, old_line.address.state, old_line.address.country) == (
        "KNOCKARDBANE LISCARROL",
        "MALLOW",
        "CO CORK",
        "EI",
    )
    assert old_line.address.zip_code == "P51" and old_line.purpose == "EDUCATION"
    new_line = irs990pf.parse_return(BytesIO(newer), "b").grants[0]
    assert (new_line.recipient_name, new_line.recipient_is_person) == ("FONDAZIONE", False)
    assert (new_line.address.country, new_line.address.zip_code, new_line.address.state) == ("IT", "50123", "")


def test_a_second_import_changes_nothing(tmp_path):
    for item in (MCNEIL, MILLMAN, OLD_2012):
        shutil.copy(item, tmp_path / item.name)
    first = funders_import(path=tmp_path)
    assert (first.new, first.failed) == (3, 0)
    before = _snapshot()
    again = funders_import(path=tmp_path)
    assert (again.new, again.replaced, again.unchanged, again.failed) == (0, 0, 3, 0)
    assert _snapshot() == before


def test_a_later_return_for_the_same_year_replaces_the_kept_one(tmp_path):
    funders_import(path=MCNEIL)
    first_ids = set(FunderGrant.objects.values_list("id", flat=True))
    # An amended return of the same EIN and year, filed later (ReturnTs) with one grant changed.
    amended = MCNEIL.read_text().replace("2016-05-03T09:00:29-05:00", "2016-08-01T10:00:00-05:00")
    amended = amended.replace("<Amt>6000</Amt>", "<Amt>6500</Amt>").replace(
        "<TotalGrantOrContriPdDurYrAmt>12000", "<TotalGrantOrContriPdDurYrAmt>12500"
    )
    (tmp_path / "201631249349100999_public.xml").write_text(amended)
    sync = funders_import(path=tmp_path)
    assert (sync.replaced, sync.new) == (1, 0)
    filing = FunderReturn.objects.get()
    assert filing.object_id == "201631249349100999"
    assert Funder.objects.get().total_grants_paid == 12500
    assert FunderGrant.objects.count() == 4 and not first_ids & set(FunderGrant.objects.values_list("id", flat=True))
    assert FunderGrant.objects.get(recipient_name="ST JOSEPH'S CHURCH").amount == 6500
    # The earlier original arriving afterwards does not undo the amendment.
    again = funders_import(path=MCNEIL.parent / "201601249349100900_public.xml")
    assert (again.older, again.new, again.replaced) == (1, 0, 0)
    assert FunderReturn.objects.get().object_id == "201631249349100999"


def test_a_zip_of_returns_is_read_member_by_member(tmp_path):
    archive = tmp_path / "2016_TEOS_XML_01A.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(MCNEIL, f"2016_TEOS_XML_01A/{MCNEIL.name}")
        out.write(MILLMAN, MILLMAN.name)
        out.writestr("notes.txt", "not a return")
    sync = funders_import(path=archive)
    assert (sync.new, sync.grants, sync.failed) == (2, 20, 0)
    assert set(FunderReturn.objects.values_list("object_id", flat=True)) == {"201601249349100900", "201401439349100200"}


def test_other_forms_are_skipped_and_broken_files_reported_without_stopping(tmp_path):
    shutil.copy(MCNEIL, tmp_path / MCNEIL.name)
    (tmp_path / "201401349349302815_public.xml").write_text(
        MCNEIL.read_text().replace("<ReturnTypeCd>990PF</ReturnTypeCd>", "<ReturnTypeCd>990</ReturnTypeCd>")
    )
    (tmp_path / "200000000000000001_public.xml").write_text("<Return><ReturnHeader>")  # cut off mid-file
    sync = funders_import(path=tmp_path)
    assert (sync.new, sync.skipped, sync.failed, sync.status) == (1, 1, 1, "partial")
    assert "not well-formed XML" in sync.errors[0]


def test_entities_from_a_doctype_are_not_expanded(tmp_path):
    hostile = (
        MCNEIL.read_text()
        .replace(
            '<?xml version="1.0" encoding="utf-8"?>',
            '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE Return [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        )
        .replace(
            "<CityNm>HYANNIS</CityNm>\n        <StateAbbreviationCd>MA",
            "<CityNm>&x;</CityNm>\n        <StateAbbreviationCd>MA",
            1,
        )
    )
    (tmp_path / "201601249349100901_public.xml").write_text(hostile)
    funders_import(path=tmp_path)
    assert "root:" not in Funder.objects.get().city


def test_the_command_prints_counts_and_refuses_a_missing_path(tmp_path):
    out = StringIO()
    call_command("sync_funders", "--source", "irs-990pf", str(MCNEIL), stdout=out)
    assert "new 1" in out.getvalue() and "grants 4" in out.getvalue()
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "sync_funders", "--source", "irs-990pf", str(tmp_path / "missing.zip"), stdout=StringIO(), stderr=StringIO()
        )
    assert FunderSync.objects.filter(status="failed").count() == 1
    assert Funder.objects.count() == 1


def test_a_fiscal_year_return_takes_its_tax_year_from_taxyr_not_the_end_date():
    # The header and item I of a real fiscal-year 990-PF (September to August), as quoted in a schema
    # comment in public code (code index object 4594045771; the repository is not named by the index).
    header = b"""<Return xmlns="http://www.irs.gov/efile" returnVersion="2021v4.2"><ReturnHeader>
        <ReturnTs>2023-01-13T14:24:16-05:00</ReturnTs>
        <TaxPeriodEndDt>2022-08-31</TaxPeriodEndDt>
        <ReturnTypeCd>990PF</ReturnTypeCd>
        <TaxPeriodBeginDt>2021-09-01</TaxPeriodBeginDt>
        <TaxYr>2021</TaxYr><Filer><EIN>000000021</EIN></Filer></ReturnHeader>
      <ReturnData><IRS990PF>
        <Organization501c3ExemptPFInd>X</Organization501c3ExemptPFInd>
        <FMVAssetsEOYAmt>914737</FMVAssetsEOYAmt>
        <MethodOfAccountingCashInd>X</MethodOfAccountingCashInd>
      </IRS990PF></ReturnData></Return>"""
    from io import BytesIO

    parsed = irs990pf.parse_return(BytesIO(header), "fiscal")
    assert (parsed.tax_year, parsed.tax_period_begin, parsed.tax_period_end) == (
        2021,
        date(2021, 9, 1),
        date(2022, 8, 31),
    )
    assert parsed.total_assets == 914737 and parsed.filed_at.year == 2023
    # Without TaxYr, the year the period began (not the year it ended).
    no_year = irs990pf.parse_return(BytesIO(header.replace(b"<TaxYr>2021</TaxYr>", b"")), "fiscal")
    assert no_year.tax_year == 2021


def test_an_interrupted_import_keeps_its_finished_batches_and_resumes(tmp_path, monkeypatch):
    for item in (MCNEIL, MILLMAN, OLD_2012):
        shutil.copy(item, tmp_path / item.name)
    from funders import services

    monkeypatch.setattr(services, "RETURN_BATCH", 1)
    real_store = services._store_batch
    calls = []

    def crash_on_second(batch, sync):
        calls.append(batch[0].object_id)
        if len(calls) == 2:
            raise ConnectionError("server closed the connection unexpectedly")
        real_store(batch, sync)

    monkeypatch.setattr(services, "_store_batch", crash_on_second)
    with pytest.raises(ConnectionError):
        funders_import(path=tmp_path)
    assert FunderReturn.objects.count() == 1 and FunderSync.objects.get().status == "failed"
    monkeypatch.setattr(services, "_store_batch", real_store)
    resumed = funders_import(path=tmp_path)
    assert (resumed.unchanged, resumed.new, resumed.failed) == (1, 2, 0)
    assert FunderReturn.objects.count() == 3


def test_preselected_only_with_application_details_keeps_both(tmp_path):
    # Many filers tick "only to preselected organisations" and still fill in line 2. The real 2015 return
    # with the indicator added where the schema puts it (first in SupplementaryInformationGrp).
    both = MCNEIL.read_text().replace(
        "<SupplementaryInformationGrp>",
        "<SupplementaryInformationGrp>\n        <OnlyContriToPreselectedInd>X</OnlyContriToPreselectedInd>",
    )
    (tmp_path / "201601249349100901_public.xml").write_text(both)
    funders_import(path=tmp_path)
    funder = Funder.objects.get()
    assert funder.preselected_only is True and funder.accepts_applications is False
    assert len(funder.application) == 4  # the filed application details are kept, as filed
    assert FunderReturn.objects.get().preselected_only is True
