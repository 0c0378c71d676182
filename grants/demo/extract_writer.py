"""Writes fictional opportunities in the Grants.gov XML extract format.

Used to build the bundled demo catalog (``catalog.xml``, about 300 records) and, in bench/, an
extract as big as the real one. Deterministic: the same seed and anchor date give the same file.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from grants.criteria import ELIGIBILITY_LABELS
from grants.demo.themes import AGENCIES, PLACES, THEMES

NAMESPACE = "http://apply.grants.gov/system/OpportunityDetail-V1.0"
DEMO_ANCHOR = date(2026, 12, 1)

CEILINGS = ["none", "25000", "50000", "100000", "250000", "500000", "1000000", "2500000", "5000000"]


def _d(value: date) -> str:
    return value.strftime("%m%d%Y")


def _element(name: str, value: object) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def opportunity_xml(number: int, rng: random.Random, anchor: date) -> str:
    theme = rng.choice(THEMES)
    program = rng.choice(theme.programs)
    agency_code, agency_name = program.agency, AGENCIES[program.agency]
    place = rng.choice(PLACES) if rng.random() < 0.35 else ""
    if place == "Appalachian":
        title = f"Appalachian {program.title} Program FY{anchor.year + 1}"
    else:
        title = f"{program.title}{' in ' + place if place else ''} Program FY{anchor.year + 1}"
    is_forecast = rng.random() < 0.2
    posted = anchor - timedelta(days=rng.randint(0, 120))
    roll = rng.random()
    if roll < 0.07:
        close = date(2099, 1, 1)  # stand-in for "rolling", as DOS writes it
    elif roll < 0.1:
        close = date(2076, 12, 31)  # NSF's "proposals accepted anytime"
    elif roll < 0.2:
        close = anchor - timedelta(days=rng.randint(1, 60))
    else:
        close = anchor + timedelta(days=rng.randint(3, 200))
    ceiling = rng.choice(CEILINGS)
    floor = "none" if ceiling in ("none", "0") else str(int(int(ceiling) * rng.choice([0, 0.1, 0.2])))
    eligible = program.eligible
    where = ""
    if place:
        where = f" Priority is given to projects in {'Appalachian counties' if place == 'Appalachian' else place}."
    description = (
        f"<p><strong>Sample data:</strong> a fictional opportunity for trying Grant Finder, not a real grant.</p>"
        f"<p>This program funds projects that {program.purpose}.{where}</p>"
        f"<ul><li>Period of performance up to {rng.choice([12, 24, 36])} months</li>"
        f"<li>Expected outcomes must be measurable</li></ul>"
    )
    opportunity_id = 900000 + number
    parts = [
        _element("OpportunityID", opportunity_id),
        _element("OpportunityTitle", title),
        _element("OpportunityNumber", f"SAMPLE-{agency_code}-{anchor.year % 100 + 1}-{number:03d}"),
        _element("OpportunityCategory", "D"),
        _element("FundingInstrumentType", rng.choice(["G", "G", "CA"])),
        _element("CategoryOfFundingActivity", theme.category),
    ]
    if program.second_category:
        parts.append(_element("CategoryOfFundingActivity", program.second_category))
    parts.append(_element("CFDANumbers", f"{rng.randint(10, 99)}.{rng.randint(100, 999)}"))
    parts += [_element("EligibleApplicants", code) for code in eligible]
    parts += [
        _element(
            "AdditionalInformationOnEligibility",
            f"Eligible applicants: {'; '.join(ELIGIBILITY_LABELS[code] for code in eligible)} (sample data).",
        ),
        _element("AgencyCode", agency_code),
        _element("AgencyName", f"{agency_name} (sample)"),
        _element("PostDate", _d(posted)),
    ]
    if not is_forecast:
        parts += [_element("CloseDate", _d(close)), _element("CloseDateExplanation", "")]
    parts += [
        _element("LastUpdatedDate", _d(posted)),
        _element("AwardCeiling", ceiling),
        _element("AwardFloor", floor),
        _element("EstimatedTotalProgramFunding", "none" if ceiling in ("none", "0") else int(ceiling) * 10),
        _element("ExpectedNumberOfAwards", rng.choice(["0", "1", "5", "10", "25"])),
        _element("Description", description),
        _element("Version", "Synopsis 1" if not is_forecast else "Forecast 1"),
        _element("CostSharingOrMatchingRequirement", rng.choice(["Yes", "No", "No"])),
        _element("ArchiveDate", _d(close + timedelta(days=30)) if close.year < 2070 else ""),
        _element("AdditionalInformationURL", f"https://grantfinder.example/sample/{opportunity_id}"),
        _element("GrantorContactEmail", "sample@grantfinder.example"),
    ]
    if is_forecast:
        parts += [
            _element("EstimatedSynopsisPostDate", _d(anchor + timedelta(days=rng.randint(10, 60)))),
            _element("FiscalYear", anchor.year + 1),
            _element("EstimatedSynopsisCloseDate", _d(anchor + timedelta(days=rng.randint(60, 180)))),
        ]
    kind = "OpportunityForecastDetail_1_0" if is_forecast else "OpportunitySynopsisDetail_1_0"
    return f"<{kind}>{''.join(parts)}</{kind}>\n"


def write_extract(path: Path | str, *, count: int, seed: int = 5, anchor: date = DEMO_ANCHOR) -> Path:
    path = Path(path)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Grants xmlns="{NAMESPACE}">\n')
        for number in range(1, count + 1):
            out.write(opportunity_xml(number, rng, anchor))
        out.write("</Grants>\n")
    return path


if __name__ == "__main__":
    write_extract(Path(__file__).with_name("catalog.xml"), count=300)
