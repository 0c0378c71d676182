"""Grants.gov's keyless REST API: ``search2`` (find) and ``fetchOpportunity`` (detail).

The only module that talks to api.grants.gov; tests point ``GRANTSGOV_API_BASE`` at a fake
server on 127.0.0.1 speaking the same JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import requests
from django.conf import settings

from grants.sources.normalize import (
    OpportunityRecord,
    clean_text,
    close_date_split,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    sanitize_html,
    split_codes,
)

SOURCE = "grantsgov"
OPEN_STATUSES = "forecasted|posted"
PAGE_SIZE = 250
# search2 ignores unknown keys and then widens the search; only these are ever sent.
SEARCH_KEYS = {"rows", "startRecordNum", "keyword", "oppStatuses", "eligibilities", "fundingCategories", "agencies"}
OPPORTUNITY_URL = "https://www.grants.gov/search-results-detail/{id}"


class GrantsGovError(Exception):
    """Grants.gov did not answer usefully (HTTP error, timeout, malformed body, a 200 carrying an error)."""


NOT_FOUND = "There is no record found for your search."


@dataclass
class GrantsGovClient:
    base_url: str = ""
    timeout: float = 0
    session: requests.Session = field(default_factory=requests.Session)
    calls: int = 0

    def __post_init__(self):
        self.base_url = (self.base_url or settings.GRANTSGOV_API_BASE).rstrip("/")
        self.timeout = self.timeout or settings.GRANTSGOV_TIMEOUT_SECONDS

    def _post(self, endpoint: str, body: dict) -> dict:
        self.calls += 1
        try:
            response = self.session.post(f"{self.base_url}/{endpoint}", json=body, timeout=self.timeout)
        except requests.Timeout:
            raise GrantsGovError(f"{endpoint}: no answer within {self.timeout:g} s")
        except requests.RequestException as exc:
            raise GrantsGovError(f"{endpoint}: {exc.__class__.__name__}")
        if response.status_code != 200:
            raise GrantsGovError(f"{endpoint}: HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            raise GrantsGovError(f"{endpoint}: the answer is not JSON")
        if not isinstance(payload, dict):
            raise GrantsGovError(f"{endpoint}: the answer is not a JSON object")
        if payload.get("errorcode") not in (0, None):
            raise GrantsGovError(f"{endpoint}: error {payload.get('errorcode')!r} {payload.get('msg', '')}".strip())
        if "data" not in payload and payload.get("message"):
            raise GrantsGovError(f"{endpoint}: {payload['message']}"[:500])
        return payload.get("data") or {}

    def search(self, **params) -> dict:
        """One page of ``search2``; multi-values must already be pipe-joined strings."""
        unknown = set(params) - SEARCH_KEYS
        if unknown:
            raise ValueError(f"search2 does not understand {sorted(unknown)}")
        data = self._post("search2", params)
        # Without a hit count the page says nothing about what is listed; taking it for "no
        # hits" would close every open opportunity.
        if not isinstance(data, dict) or "hitCount" not in data:
            reason = data.get("message") if isinstance(data, dict) else ""
            raise GrantsGovError(f"search2: {reason or 'no hitCount in the answer'}"[:500])
        return data

    def fetch(self, opportunity_id: str) -> dict | None:
        """The full record, or ``None`` when Grants.gov says it has no such opportunity.

        A 200 is not enough: while its backend is down Grants.gov answers 200 with ``data``
        holding only a ``message``, and a bad id gets ``errorMsgs``. Anything that is neither a
        record nor the documented not-found raises, so a caller never mistakes an outage for
        "this opportunity has no details".
        """
        data = self._post("fetchOpportunity", {"opportunityId": opportunity_id})
        if not isinstance(data, dict) or not data:
            raise GrantsGovError(f"fetchOpportunity {opportunity_id}: an empty answer")
        if data.get("id"):
            return data
        if NOT_FOUND in (data.get("errorMessages") or []):
            return None
        reason = data.get("message") or "; ".join(map(str, data.get("errorMsgs") or data.get("errorMessages") or []))
        raise GrantsGovError(f"fetchOpportunity {opportunity_id}: {reason or 'no record in the answer'}"[:500])

    def iter_hits(
        self, *, keyword: str = "", statuses: str = OPEN_STATUSES, limit: int | None = None
    ) -> Iterator[dict]:
        """Every hit of a search, page after page, until ``hitCount`` (or ``limit``) is reached."""
        start = 0
        rows = min(PAGE_SIZE, limit) if limit else PAGE_SIZE
        while True:
            params = {"rows": rows, "startRecordNum": start, "oppStatuses": statuses}
            if keyword:
                params["keyword"] = keyword
            data = self.search(**params)
            hits = data.get("oppHits") or []
            yield from hits
            start += len(hits)
            total = int(data.get("hitCount") or 0)
            if not hits or start >= total or (limit and start >= limit):
                return


def record_from_hit(hit: dict) -> OpportunityRecord:
    """A thin record from a search hit, for when the detail cannot be fetched."""
    close_date, rolling = close_date_split(parse_date(hit.get("closeDate")))
    return OpportunityRecord(
        source=SOURCE,
        external_id=str(hit["id"]),
        title=clean_text(hit.get("title")),
        number=clean_text(hit.get("number")),
        agency_code=clean_text(hit.get("agencyCode")),
        agency_name=clean_text(hit.get("agency") or hit.get("agencyName")),
        is_forecast=(hit.get("oppStatus") or "").lower() == "forecasted" or hit.get("docType") == "forecast",
        cfda_numbers=list(hit.get("cfdaList") or hit.get("alnist") or []),
        post_date=parse_date(hit.get("openDate")),
        close_date=close_date,
        is_rolling=rolling,
        url=OPPORTUNITY_URL.format(id=hit["id"]),
    )


def _first_date(block: dict, *keys: str):
    for key in keys:
        value = parse_date(block.get(key))
        if value:
            return value
    return None


def record_from_detail(data: dict) -> OpportunityRecord:
    """A full record from ``fetchOpportunity``: money and eligibility come from the ``docType`` block."""
    is_forecast = data.get("docType") == "forecast" or (data.get("ost") or "").upper() == "FORECASTED"
    block = (data.get("forecast") if is_forecast else data.get("synopsis")) or {}
    if is_forecast:
        raw_close = _first_date(block, "estApplicationResponseDateStr", "estApplicationResponseDate")
        close_text = block.get("estApplicationResponseDateDesc") or ""
        description = block.get("forecastDesc") or ""
        post = _first_date(block, "postingDateStr", "postingDate", "estSynopsisPostingDateStr")
    else:
        raw_close = _first_date(block, "responseDateStr", "responseDate")
        close_text = block.get("responseDateDesc") or ""
        description = block.get("synopsisDesc") or ""
        post = _first_date(block, "postingDateStr", "postingDate")
    close_date, rolling = close_date_split(raw_close)
    close_text = clean_text(close_text)
    if close_text.lower() == "undefined":
        close_text = ""
    agency = data.get("agencyDetails") or {}
    return OpportunityRecord(
        source=SOURCE,
        external_id=str(data["id"]),
        title=clean_text(data.get("opportunityTitle")),
        number=clean_text(data.get("opportunityNumber")),
        agency_code=clean_text(block.get("agencyCode") or data.get("owningAgencyCode") or agency.get("agencyCode")),
        agency_name=clean_text(agency.get("agencyName") or block.get("agencyName")),
        is_forecast=is_forecast,
        description_html=sanitize_html(description),
        # Older records (2016 and before) keep these three lists at the top level.
        categories=split_codes(block.get("fundingActivityCategories") or data.get("fundingActivityCategories")),
        funding_instruments=split_codes(block.get("fundingInstruments") or data.get("fundingInstruments")),
        eligible_applicants=split_codes(block.get("applicantTypes") or data.get("applicantTypes")),
        eligibility_text=clean_text(block.get("applicantEligibilityDesc")),
        cfda_numbers=[c.get("cfdaNumber") for c in data.get("cfdas") or [] if c.get("cfdaNumber")],
        post_date=post,
        close_date=close_date,
        close_date_text=close_text,
        is_rolling=rolling,
        archive_date=_first_date(block, "archiveDateStr", "archiveDate"),
        award_ceiling=parse_money(block.get("awardCeiling")),
        award_floor=parse_money(block.get("awardFloor")),
        estimated_total_funding=parse_money(block.get("estimatedFunding")),
        expected_awards=parse_int(block.get("numberOfAwards")),
        cost_sharing=parse_bool(block.get("costSharing")),
        url=OPPORTUNITY_URL.format(id=data["id"]),
        contact_email=clean_text(block.get("agencyContactEmail")),
        last_updated=_first_date(block, "lastUpdatedDateStr", "lastUpdatedDate"),
    )
