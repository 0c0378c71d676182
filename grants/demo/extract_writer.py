"""Writes fictional opportunities in the Grants.gov XML extract format.

Used to build the bundled demo catalog (``catalog.xml``, about 300 records) and, in bench/, an
extract as big as the real one. Deterministic: the same seed and anchor date give the same file.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

NAMESPACE = "http://apply.grants.gov/system/OpportunityDetail-V1.0"
DEMO_ANCHOR = date(2026, 12, 1)

AGENCIES = [
    ("USDA-RD", "Department of Agriculture - Rural Development"),
    ("USDA-NIFA", "Department of Agriculture - National Institute of Food and Agriculture"),
    ("DOC-NTIA", "Department of Commerce - National Telecommunications and Information Administration"),
    ("DOC-EDA", "Department of Commerce - Economic Development Administration"),
    ("ED-OESE", "Department of Education - Office of Elementary and Secondary Education"),
    ("HHS-HRSA", "Department of Health and Human Services - Health Resources and Services Administration"),
    ("HHS-ACF", "Department of Health and Human Services - Administration for Children and Families"),
    ("DOE-EERE", "Department of Energy - Energy Efficiency and Renewable Energy"),
    ("EPA", "Environmental Protection Agency"),
    ("HUD", "Department of Housing and Urban Development"),
    ("DOL-ETA", "Department of Labor - Employment and Training Administration"),
    ("DOJ-OJP", "Department of Justice - Office of Justice Programs"),
    ("NEA", "National Endowment for the Arts"),
    ("NSF", "National Science Foundation"),
    ("SBA", "Small Business Administration"),
    ("DOT-FTA", "Department of Transportation - Federal Transit Administration"),
    ("DOI-FWS", "Department of the Interior - Fish and Wildlife Service"),
]

# (category code, title stems, description phrases)
THEMES = [
    ("IS", ["Rural Broadband Expansion", "Digital Equity Connectivity", "Community Internet Access"],
     "deploy broadband and internet connectivity to unserved households and anchor institutions"),
    ("CD", ["Community Development Catalyst", "Main Street Revitalization", "Neighborhood Resilience"],
     "strengthen community development, local economies and public spaces"),
    ("ED", ["Digital Literacy for Adults", "STEM Classroom Innovation", "Early Literacy Partnerships"],
     "improve education outcomes through literacy, STEM and teacher training programs in schools"),
    ("HL", ["Rural Health Clinic Capacity", "Community Health Workers", "Behavioral Health Access"],
     "expand access to health care, telehealth and clinic services in underserved communities"),
    ("EN", ["Community Solar Deployment", "Energy Efficiency Retrofits", "Clean Energy Workforce"],
     "deploy renewable energy, solar and efficiency upgrades for public and nonprofit buildings"),
    ("ENV", ["Watershed Restoration", "Urban Tree Canopy", "Climate Resilience Planning"],
     "restore ecosystems, conserve natural resources and plan for climate resilience"),
    ("AG", ["Beginning Farmer Support", "Local Food Systems", "Specialty Crop Research"],
     "support farmers, local food systems and agricultural research and extension"),
    ("HO", ["Affordable Housing Preservation", "Homelessness Prevention", "Healthy Homes"],
     "preserve affordable housing and prevent homelessness for low-income families"),
    ("ELT", ["Workforce Pathways", "Apprenticeship Expansion", "Youth Employment"],
     "train workers and expand apprenticeships and employment pathways"),
    ("BC", ["Small Business Innovation", "Export Readiness", "Microenterprise Development"],
     "help small businesses and entrepreneurs grow, innovate and export"),
    ("ST", ["Research Infrastructure", "Applied Technology Innovation", "Data Science Fellowships"],
     "advance science and technology research, innovation and data capacity"),
    ("AR", ["Community Arts Engagement", "Museum Access", "Creative Placemaking"],
     "support the arts, artists, museums and creative placemaking in communities"),
    ("LJL", ["Community Violence Intervention", "Reentry Services", "Victim Services"],
     "reduce violence and support victims and people returning from incarceration"),
    ("T", ["Rural Transit Access", "Safe Streets", "Transit Workforce"],
     "improve transportation safety, transit access and mobility"),
    ("FN", ["School Meal Equipment", "Food Bank Capacity", "Nutrition Education"],
     "improve food security, nutrition and food bank capacity"),
]  # fmt: skip
PLACES = ["Louisiana", "Mississippi", "Texas", "Alaska", "New Mexico", "Appalachian", "Montana", "Puerto Rico"]
ELIGIBILITY_SETS = [
    ["12", "13"], ["23"], ["99"], ["00", "01", "02", "07"], ["06", "20"], ["12", "23", "22"], ["25"],
    ["07", "11"], ["12", "00", "06"], ["21"],
]  # fmt: skip
CEILINGS = ["none", "0", "25000", "50000", "100000", "250000", "500000", "1000000", "2500000", "5000000"]


def _d(value: date) -> str:
    return value.strftime("%m%d%Y")


def _element(name: str, value: object) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def opportunity_xml(number: int, rng: random.Random, anchor: date) -> str:
    category, stems, phrase = rng.choice(THEMES)
    agency_code, agency_name = rng.choice(AGENCIES)
    place = rng.choice(PLACES) if rng.random() < 0.35 else ""
    title = (
        f"{rng.choice(stems)}{' in ' + place if place and place != 'Appalachian' else ''} Program FY{anchor.year + 1}"
    )
    if place == "Appalachian":
        title = f"Appalachian {title}"
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
    eligible = rng.choice(ELIGIBILITY_SETS)
    where = f" Priority is given to projects in {place}." if place else ""
    description = (
        f"<p><strong>Sample data:</strong> a fictional opportunity for trying Grant Finder, not a real grant.</p>"
        f"<p>This program funds projects that {phrase}.{where}</p>"
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
        _element("CategoryOfFundingActivity", category),
    ]
    if rng.random() < 0.3:
        parts.append(_element("CategoryOfFundingActivity", rng.choice(THEMES)[0]))
    parts.append(_element("CFDANumbers", f"{rng.randint(10, 99)}.{rng.randint(100, 999)}"))
    parts += [_element("EligibleApplicants", code) for code in eligible]
    parts += [
        _element("AdditionalInformationOnEligibility", "See the full announcement (sample data)."),
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
