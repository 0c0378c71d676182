"""The bundled sample catalog hangs together: agency, category, eligibility and text agree."""

from __future__ import annotations

import re
from datetime import date

from grants.criteria import ELIGIBILITY_LABELS
from grants.sources.demo import iter_demo_records

# What each agency funds (its funding-activity categories), written from the agencies' remits,
# independently of the writer's own tables.
AGENCY_SCOPE = {
    "USDA-RD": {"IS", "CD", "AG"}, "USDA-NIFA": {"AG"}, "USDA-FNS": {"FN"}, "DOC-NTIA": {"IS"},
    "DOC-EDA": {"CD", "BC"}, "ED-OESE": {"ED"}, "HHS-HRSA": {"HL"}, "HHS-ACF": {"ISS"}, "HHS-ACL": {"ISS"},
    "DOE-EERE": {"EN"}, "EPA": {"ENV"}, "HUD": {"HO", "CD"}, "DOL-ETA": {"ELT"}, "DOJ-OJP": {"LJL"},
    "NEA": {"AR"}, "NEH": {"HU"}, "NSF": {"ST"}, "SBA": {"BC"}, "DOT-FTA": {"T"}, "DOI-FWS": {"ENV"},
    "DHS-FEMA": {"DPR"},
}  # fmt: skip
TITLE_NOISE = {"program", "fy", "and", "for", "in", "of", "the", "appalachian"} | {
    "louisiana", "mississippi", "texas", "alaska", "new", "mexico", "montana", "puerto", "rico",
}  # fmt: skip


def _records():
    records = list(iter_demo_records(today=date(2026, 12, 1)))
    assert len(records) == 300 and not [r for r in records if isinstance(r, Exception)]
    return records


def test_each_sample_opportunity_comes_from_an_agency_that_funds_its_category():
    for record in _records():
        assert record.categories[0] in AGENCY_SCOPE[record.agency_code], (record.title, record.agency_code)
        assert record.number.startswith(f"SAMPLE-{record.agency_code}-")


def test_each_sample_opportunity_states_in_words_who_may_apply():
    for record in _records():
        names = "; ".join(ELIGIBILITY_LABELS[code] for code in record.eligible_applicants)
        assert record.eligibility_text == f"Eligible applicants: {names} (sample data)."


def test_each_sample_opportunity_says_what_its_title_says_and_that_it_is_sample_data():
    for record in _records():
        assert record.agency_name.endswith("(sample)")
        assert "Sample data:" in record.description_html
        words = set(re.findall(r"[a-z]+", record.title.lower())) - TITLE_NOISE
        text = record.description_html.lower()
        # Most of the title's words (by their stem) are in the text that explains it.
        found = [word for word in words if word[:5] in text]
        assert len(found) * 2 >= len(words), (record.title, words, found)
        for place in ("Louisiana", "Texas", "Alaska", "Montana", "Puerto Rico"):
            assert (place in record.title) == (place in record.description_html), record.title
