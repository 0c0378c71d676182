"""The California Grants Portal (grants.ca.gov), published on data.ca.gov as a CKAN datastore.

Two ways in: the datastore API (``datastore_search``, paged with offset/limit, records as
objects) and the datastore's dumps (JSON ``{"fields": [...], "records": [[...], ...]}`` with each
record an array in field order, or CSV with a byte-order mark). One record per ``PortalID``.

The portal's values are typed by hand by state agencies: statuses ``active``/``forecasted``/
``closed``; deadlines as ``2025-08-07 11:59:00`` or ``Ongoing``; money as ``$25,000,000`` or
``Between $500,000 and $5,000,000``; applicant types, categories and geography as
``;``-separated text; stray no-break spaces everywhere. Everything is funnelled into the same
``OpportunityRecord`` as Grants.gov, so the catalog searches and scores both alike.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests
from django.conf import settings

from grants.criteria import OpportunityStatus
from grants.sources.normalize import OpportunityRecord, safe_url

SOURCE = "ca-portal"
PORTAL_URL = "https://www.grants.ca.gov/grants/"
RESOURCE_ID = "111c8c88-21f6-453c-ae2c-b4785a0624f5"  # "California Grants Portal" on data.ca.gov
PAGE_SIZE = 100
ROLLING = {"ongoing", "open until filled", "continuous"}

# Portal categories -> the catalog's (Grants.gov) category codes, so one category filter serves both.
CATEGORY_CODES = {
    "agriculture": ["AG"],
    "animal services": ["O"],
    "consumer protection": ["CP"],
    "disadvantaged communities": ["CD"],
    "disaster prevention & relief": ["DPR"],
    "education": ["ED"],
    "employment, labor & training": ["ELT"],
    "energy": ["EN"],
    "environment & water": ["ENV", "NR"],
    "food & nutrition": ["FN"],
    "health & human services": ["HL", "ISS"],
    "housing, community and economic development": ["HO", "CD"],
    "law, justice, and legal services": ["LJL"],
    "libraries and arts": ["AR"],
    "parks & recreation": ["NR", "RT"],
    "science, technology, and research & development": ["ST"],
    "transportation": ["T"],
    "veterans & military": ["O"],
}
# Portal applicant types -> the catalog's eligible-applicant codes (grants/criteria.py).
APPLICANT_CODES = {
    "business": ["22", "23"],
    "individual": ["21"],
    "nonprofit": ["12", "13"],
    "public agency": ["00", "01", "02", "04", "05", "06", "08"],
    "tribal government": ["07", "11"],
    "other legal entity": ["25"],
}


class CaPortalError(Exception):
    """The portal (or a dump of it) could not be read."""


def clean(value: object) -> str:
    """Text without HTML entities, no-break spaces or runs of whitespace."""
    if value is None:
        return ""
    text = html.unescape(str(value)).replace("\xa0", " ").replace("\u200b", "")
    return re.sub(r"\s+", " ", text).strip()


def split_list(value: object) -> list[str]:
    return [part for part in (clean(p) for p in clean(value).split(";")) if part]


_AMOUNT = re.compile(r"\$\s*(\d[\d,]*(?:\.\d+)?)\s*(million|billion|thousand|[mkb])?\b", re.IGNORECASE)
_MULTIPLIER = {"thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000, "billion": 10**9, "b": 10**9}


def money_range(value: object) -> tuple[int | None, int | None]:
    """(low, high) in whole dollars from "$25,000,000", "Between $500 and $10,000", "Up to $2M".

    Text without a dollar figure ("Dependant on number of submissions received") is (None, None).
    """
    amounts = []
    for number, unit in _AMOUNT.findall(clean(value)):
        amount = float(number.replace(",", "")) * _MULTIPLIER.get(unit.lower(), 1)
        amounts.append(int(amount))
    if not amounts:
        return None, None
    if len(amounts) == 1:
        return None, amounts[0]
    return min(amounts), max(amounts)


def count_range(value: object) -> int | None:
    """The most awards expected: "Between 5 and 13" -> 13, "Exactly 2" -> 2."""
    numbers = [int(n) for n in re.findall(r"\d+", clean(value).replace(",", ""))]
    return max(numbers) if numbers else None


def portal_date(value: object) -> date | None:
    text = clean(value)
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def _contact_email(value: object) -> str:
    match = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", clean(value))
    return match.group(0) if match else ""


def _cost_sharing(value: object) -> bool | None:
    text = clean(value).lower()
    if not text:
        return None
    if text.startswith(("not required", "no")) or text in {"0%", "none"}:
        return False
    return True


@dataclass
class PortalRecord(OpportunityRecord):
    """An opportunity as the portal lists it: the portal's own status decides "closed"."""

    portal_status: str = ""

    def status_on(self, today: date) -> str:
        if self.portal_status == "closed":
            return OpportunityStatus.CLOSED
        return super().status_on(today)


def _paragraphs(*parts: str) -> str:
    return "".join(f"<p>{html.escape(part)}</p>" for part in parts if part)


def record_from_row(row: dict) -> PortalRecord:
    """One portal record (a dict keyed by the datastore's field names) as a catalog record."""
    status = clean(row.get("Status")).lower()
    deadline_text = clean(row.get("ApplicationDeadline"))
    rolling = deadline_text.lower() in ROLLING
    floor, ceiling = money_range(row.get("EstAmounts"))
    _, total = money_range(row.get("EstAvailFunds"))
    geography = clean(row.get("Geography"))
    applicant_types = split_list(row.get("ApplicantType"))
    categories = split_list(row.get("Categories"))
    codes: list[str] = []
    for name in categories:
        codes += [c for c in CATEGORY_CODES.get(name.lower(), ["O"]) if c not in codes]
    eligible: list[str] = []
    for name in applicant_types:
        eligible += [c for c in APPLICANT_CODES.get(name.lower(), ["25"]) if c not in eligible]
    # Geography is part of the text the catalog searches and scores: a state opportunity names its
    # state even when the agency left the field empty.
    eligibility_text = " ".join(
        part
        for part in (
            f"Eligible applicants: {', '.join(applicant_types)}." if applicant_types else "",
            clean(row.get("ApplicantTypeNotes")),
            f"Where: California. {geography}" if geography else "Where: California.",
        )
        if part
    )
    return PortalRecord(
        source=SOURCE,
        external_id=clean(row.get("PortalID")),
        title=clean(row.get("Title")),
        number=clean(row.get("GrantID"))[:100],
        agency_name=clean(row.get("AgencyDept")),
        is_forecast=status == "forecasted",
        description_html=_paragraphs(clean(row.get("Purpose")), clean(row.get("Description"))),
        categories=codes,
        funding_instruments=[{"grant": "G", "loan": "O"}.get(t.lower(), "O") for t in split_list(row.get("Type"))],
        eligible_applicants=eligible,
        eligibility_text=eligibility_text,
        post_date=portal_date(row.get("OpenDate")),
        close_date=None if rolling else portal_date(deadline_text),
        close_date_text=deadline_text,
        is_rolling=rolling,
        award_ceiling=ceiling,
        award_floor=floor,
        estimated_total_funding=total,
        expected_awards=count_range(row.get("EstAwards")),
        cost_sharing=_cost_sharing(row.get("MatchingFunds")),
        url=safe_url(clean(row.get("GrantURL")), fallback=PORTAL_URL),
        contact_email=_contact_email(row.get("ContactInfo")),
        last_updated=portal_date(row.get("LastUpdated")),
        portal_status=status,
    )


def _rows_from_json_dump(data: dict) -> Iterator[dict]:
    fields = [field["id"] for field in data.get("fields", [])]
    if not fields or "PortalID" not in fields:
        raise CaPortalError("the JSON has no PortalID field: not a California Grants Portal dump")
    for values in data.get("records", []):
        if isinstance(values, dict):  # records_format=objects
            yield values
        else:
            yield dict(zip(fields, values, strict=False))


def iter_dump(path: Path | str) -> Iterator[PortalRecord | Exception]:
    """Records of a datastore dump: JSON (``?format=json``) or CSV (``?format=csv``, with a BOM)."""
    path = Path(path)
    if not path.is_file():
        raise CaPortalError(f"{path}: no such file")
    raw = path.read_bytes()  # a full dump is a few MB (about 2,000 records)
    text = raw.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("{"):
        try:
            rows = list(_rows_from_json_dump(json.loads(text)))
        except ValueError as exc:
            raise CaPortalError(f"{path}: not valid JSON ({exc})") from exc
    else:
        reader = csv.DictReader(io.StringIO(text))
        if "PortalID" not in (reader.fieldnames or []):
            raise CaPortalError(f"{path}: no PortalID column: not a California Grants Portal dump")
        rows = list(reader)
    for row in rows:
        try:
            yield record_from_row(row)
        except (TypeError, ValueError) as exc:
            yield CaPortalError(f"record {clean(row.get('PortalID')) or '?'}: {exc}")


class CaPortalClient:
    """``datastore_search`` on data.ca.gov (or ``CA_GRANTS_API_BASE``), page by page."""

    def __init__(self, *, base_url: str | None = None, resource_id: str | None = None, timeout: float | None = None,
                 page_size: int = PAGE_SIZE):  # fmt: skip
        self.base_url = (base_url or settings.CA_GRANTS_API_BASE).rstrip("/")
        self.resource_id = resource_id or settings.CA_GRANTS_RESOURCE_ID
        self.timeout = timeout or settings.CA_GRANTS_TIMEOUT_SECONDS
        self.page_size = page_size
        self.calls = 0
        self.session = requests.Session()

    def _page(self, offset: int) -> dict:
        self.calls += 1
        url = f"{self.base_url}/datastore_search"
        params = {"resource_id": self.resource_id, "limit": self.page_size, "offset": offset}
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise CaPortalError(f"data.ca.gov did not answer: {exc.__class__.__name__}") from exc
        try:
            body = response.json()
        except ValueError:
            raise CaPortalError(f"data.ca.gov answered HTTP {response.status_code} without JSON") from None
        if response.status_code != 200 or not body.get("success"):
            error = body.get("error") or {}
            message = (error.get("message") or error.get("__type")) if isinstance(error, dict) else str(error)
            raise CaPortalError(f"data.ca.gov answered HTTP {response.status_code}: {message or 'no result'}")
        result = body.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("records"), list):
            raise CaPortalError("data.ca.gov answered without records")
        return result

    def iter_rows(self) -> Iterator[dict]:
        offset = 0
        while True:
            result = self._page(offset)
            records = result["records"]
            yield from records
            offset += len(records)
            total = result.get("total")
            if not records or (isinstance(total, int) and offset >= total):
                return


def iter_api(client: CaPortalClient) -> Iterator[PortalRecord | Exception]:
    for row in client.iter_rows():
        try:
            yield record_from_row(row)
        except (TypeError, ValueError) as exc:
            yield CaPortalError(f"record {clean(row.get('PortalID')) or '?'}: {exc}")
