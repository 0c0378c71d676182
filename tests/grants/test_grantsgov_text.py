"""Grants.gov text on recorded material: entities decoded (also when escaped twice), line breaks kept."""

from __future__ import annotations

import re
from datetime import date

from grants.models import CatalogSync, Opportunity
from grants.services.catalog import SyncCounter, catalog_upsert
from grants.services.catalog_text import catalog_text_repair
from grants.sources.grantsgov import record_from_detail, record_from_hit
from grants.sources.grantsgov_xml import iter_extract
from grants.sources.normalize import clean_text, sanitize_html
from tests.factories import OpportunityFactory
from tests.grants.fake_grantsgov import RECORDED, recorded_detail, recorded_hits

TODAY = date(2026, 11, 26)
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
PLAIN_FIELDS = ("title", "number", "agency_name", "description_text", "eligibility_text", "close_date_text")
DETAILS = (
    "fetch_363423_posted_synopsis.json",
    "fetch_363917_forecast.json",
    "fetch_363621_nsf_rolling_2076.json",
    "fetch_355211_dos_2099_undefined.json",
    "fetch_356612_dod_zero_ceiling.json",
)


def assert_no_entities(opportunity) -> None:
    for name in PLAIN_FIELDS:
        value = getattr(opportunity, name)
        assert not ENTITY.search(value), f"{opportunity.external_id}.{name}: {value!r}"
    # The HTML keeps only the escapes HTML itself needs, each escaped once.
    leftovers = {m.group(0) for m in ENTITY.finditer(opportunity.description)} - {"&amp;", "&lt;", "&gt;"}
    assert not leftovers, f"{opportunity.external_id}.description: {leftovers}"
    assert "&amp;amp;" not in opportunity.description and "&amp;lt;" not in opportunity.description


def test_search_hit_titles_are_decoded():
    titles = {hit["id"]: record_from_hit(hit).title for hit in recorded_hits()}
    assert titles["362180"] == "DoW Alzheimer\u2019s Transforming Research Award"
    assert titles["263109"] == "USDA FNS SNAP E&T Pilots"


def test_detail_eligibility_entities_are_decoded_and_paragraphs_kept():
    dos = record_from_detail(recorded_detail("fetch_355211_dos_2099_undefined.json"))
    assert dos.eligibility_text == (
        "The Public Affairs Office encourages applications from all sectors. All grantees must have "
        "non-profit status.\n\nWe seek proposals for geographically and demographically diverse audiences within Libya."
    )
    dod = record_from_detail(recorded_detail("fetch_356612_dod_zero_ceiling.json"))
    assert dod.eligibility_text.startswith("See Section 3. \u201cEligibility Information\u201d, of the BAA")


def test_a_plain_text_description_keeps_its_line_breaks():
    dos = record_from_detail(recorded_detail("fetch_355211_dos_2099_undefined.json"))
    assert dos.description_html == (
        "<p>U.S. DEPARTMENT OF STATE<br>U.S. EMBASSY TO LIBYA, PUBLIC AFFAIRS SECTION<br>"
        "Notice of Funding Opportunity (NOFO)</p>"
        "<p>Funding Opportunity Title: U.S. Embassy to Libya PAS Annual Program Statement</p>"
    )


def test_the_agency_comes_from_agency_details_not_the_contact_block():
    hrsa = record_from_detail(recorded_detail("fetch_363423_posted_synopsis.json"))
    assert hrsa.agency_name == "Health Resources and Services Administration"


def test_doubly_escaped_extract_text_is_decoded(tmp_path):
    """The recorded extract's doubly escaped contact text, as it would arrive in any text field."""
    real = (RECORDED / "extract_131073_usgs.xml").read_text()
    doubly_escaped = re.search(r"<GrantorContactText>(.*)</GrantorContactText>", real).group(1)
    variant = re.sub(r"<Description>.*</Description>", f"<Description>{doubly_escaped}</Description>", real)
    variant = re.sub(
        r"<AdditionalInformationOnEligibility>.*</AdditionalInformationOnEligibility>",
        f"<AdditionalInformationOnEligibility>{doubly_escaped}</AdditionalInformationOnEligibility>",
        variant,
    )
    path = tmp_path / "extract.xml"
    path.write_text(variant)
    [record] = list(iter_extract(path))
    assert record.description_html == "Faith Graves, 703-648-7356<br>fgraves@usgs.gov<br>"
    assert record.eligibility_text == "Faith Graves, 703-648-7356\nfgraves@usgs.gov"


def test_a_recorded_doubly_escaped_extract_description_is_decoded():
    records = {r.external_id: r for r in iter_extract(RECORDED / "extract_2023_records.xml")}
    assert records["131094"].description_html == "<p>The U.S. Department of Energy's Office of...</p>"
    assert records["262149"].categories == ["AG", "ENV", "NR"] and records["262149"].award_ceiling is None


def test_the_entities_quoted_in_the_issue_are_decoded():
    assert clean_text("S&amp;amp;T and &amp;quot;pilot&amp;quot;") == 'S&T and "pilot"'
    assert sanitize_html("S&amp;amp;T and &amp;quot;pilot&amp;quot;") == '<p>S&amp;T and "pilot"</p>'
    assert sanitize_html("<p>S&amp;amp;T &amp;quot;pilot&amp;quot; &rsquo;</p>") == '<p>S&amp;T "pilot" \u2019</p>'
    assert sanitize_html("&amp;lt;p&amp;gt;Office of Science&amp;rsquo;s&amp;lt;/p&amp;gt;") == (
        "<p>Office of Science\u2019s</p>"
    )
    assert sanitize_html("<p>a&nbsp;b</p>") == "<p>a b</p>"


def test_no_stored_text_holds_an_html_entity(db, tmp_path):
    sync = CatalogSync.objects.create(source="test")
    records = [record_from_detail(recorded_detail(name)) for name in DETAILS]
    records += [record_from_hit(hit) for hit in recorded_hits()]
    records += list(iter_extract(RECORDED / "extract_131073_usgs.xml"))
    records += list(iter_extract(RECORDED / "extract_2023_records.xml"))
    catalog_upsert(records=records, counter=SyncCounter(sync), today=TODAY)
    assert Opportunity.objects.count() == len({r.external_id for r in records})
    for opportunity in Opportunity.objects.all():
        assert_no_entities(opportunity)


def test_stored_rows_are_repaired_once_and_then_left_alone(db):
    broken = OpportunityFactory(
        title="DoW Alzheimer&rsquo;s Transforming Research Award",
        eligibility_text="See Section 3. &ldquo;Eligibility Information&rdquo;",
        description="<p>S&amp;amp;T &amp;quot;pilot&amp;quot;</p>",
        description_text="S&amp;T &quot;pilot&quot;",
    )
    clean = OpportunityFactory()
    assert catalog_text_repair() == 1
    broken.refresh_from_db()
    assert broken.title == "DoW Alzheimer\u2019s Transforming Research Award"
    assert broken.eligibility_text == "See Section 3. \u201cEligibility Information\u201d"
    assert broken.description == '<p>S&amp;T "pilot"</p>' and broken.description_text == 'S&T "pilot"'
    assert_no_entities(broken)
    assert Opportunity.objects.get(pk=clean.pk).content_hash == clean.content_hash
    assert catalog_text_repair() == 0


def test_a_tag_left_in_a_plain_text_field_becomes_a_line_break(tmp_path):
    """Escaped once only, the extract's "&lt;br/&gt;" reaches the importer as a tag."""
    real = (RECORDED / "extract_131073_usgs.xml").read_text()
    once = real.replace(
        "education.  This assistance", "education.&lt;br/&gt;This assistance"
    )  # the contact text's markup, escaped once, in the eligibility notes
    path = tmp_path / "extract.xml"
    path.write_text(once)
    [record] = list(iter_extract(path))
    assert "education.\nThis assistance" in record.eligibility_text and "<" not in record.eligibility_text
