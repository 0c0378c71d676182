"""The Grants.gov XML extract (``GrantsDBExtract{YYYYMMDD}v2.zip`` or the XML inside it).

The file holds every opportunity ever posted (80,000+, hundreds of MB unzipped), so it is read
as a stream: each record element is turned into a record and then cleared, and memory stays flat
whatever the size of the file.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, iterparse

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
    safe_url,
    sanitize_html,
)

# Fields that are markup (sanitised, not flattened) or codes/dates (no text to clean).
_NOT_PLAIN_TEXT = {"Description", "AdditionalInformationURL"}

SOURCE = "grantsgov"
SYNOPSIS = "OpportunitySynopsisDetail_1_0"
FORECAST = "OpportunityForecastDetail_1_0"
REPEATED = {"FundingInstrumentType", "CategoryOfFundingActivity", "CFDANumbers", "EligibleApplicants"}
OPPORTUNITY_URL = "https://www.grants.gov/search-results-detail/{id}"


class ExtractError(Exception):
    """The file is not a readable Grants.gov extract."""


def _local(tag: str) -> str:
    return tag[tag.index("}") + 1 :] if tag[:1] == "{" else tag


@contextmanager
def _open_extract(path: Path) -> Iterator[IO[bytes]]:
    if not path.exists():
        raise ExtractError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise ExtractError(f"{path}: the archive is damaged ({exc})")
        with archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".xml")]
            if not names:
                raise ExtractError(f"{path}: the archive holds no XML file")
            with archive.open(names[0]) as stream:
                yield stream
    else:
        with path.open("rb") as stream:
            yield stream


def _fields(element: Element) -> dict:
    values: dict = {name: [] for name in REPEATED}
    for child in element:
        name = _local(child.tag)
        text = (child.text or "").strip()
        if text and ("&" in text or "<" in text) and name not in _NOT_PLAIN_TEXT:
            text = clean_text(text)  # "S&amp;T" or "<br/>" once XML has unescaped them once
        if name in REPEATED:
            if text:
                values[name].append(text)
        else:
            values[name] = text
    return values


def record_from_fields(values: dict, *, is_forecast: bool, source: str = SOURCE) -> OpportunityRecord:
    if is_forecast:
        raw_close = parse_date(values.get("EstimatedSynopsisCloseDate"))
        close_text = values.get("EstimatedSynopsisCloseDateExplanation", "")
        post = parse_date(values.get("PostDate")) or parse_date(values.get("EstimatedSynopsisPostDate"))
    else:
        raw_close = parse_date(values.get("CloseDate"))
        close_text = values.get("CloseDateExplanation", "")
        post = parse_date(values.get("PostDate"))
    close_date, rolling = close_date_split(raw_close)
    opportunity_id = values.get("OpportunityID", "")
    return OpportunityRecord(
        source=source,
        external_id=opportunity_id,
        title=values.get("OpportunityTitle", ""),
        number=values.get("OpportunityNumber", ""),
        agency_code=values.get("AgencyCode", ""),
        agency_name=values.get("AgencyName", ""),
        is_forecast=is_forecast,
        description_html=sanitize_html(values.get("Description")),
        categories=values["CategoryOfFundingActivity"],
        funding_instruments=values["FundingInstrumentType"],
        eligible_applicants=values["EligibleApplicants"],
        eligibility_text=values.get("AdditionalInformationOnEligibility", ""),
        cfda_numbers=values["CFDANumbers"],
        post_date=post,
        close_date=close_date,
        close_date_text=close_text,
        is_rolling=rolling,
        archive_date=parse_date(values.get("ArchiveDate")),
        award_ceiling=parse_money(values.get("AwardCeiling")),
        award_floor=parse_money(values.get("AwardFloor")),
        estimated_total_funding=parse_money(values.get("EstimatedTotalProgramFunding")),
        expected_awards=parse_int(values.get("ExpectedNumberOfAwards")),
        cost_sharing=parse_bool(values.get("CostSharingOrMatchingRequirement")),
        # Grants.gov's own page for its records (as the API adapter links), the agency's link otherwise.
        url=OPPORTUNITY_URL.format(id=opportunity_id)
        if source == SOURCE
        else safe_url(values.get("AdditionalInformationURL"), OPPORTUNITY_URL.format(id=opportunity_id)),
        contact_email=values.get("GrantorContactEmail", ""),
        last_updated=parse_date(values.get("LastUpdatedDate")),
    )


@dataclass(slots=True)
class RawRecord:
    """One record of the extract as parsed, not yet normalised (sanitising its HTML is the
    expensive part of an import): ``digest`` lets an unchanged record skip normalising."""

    values: dict
    is_forecast: bool
    source: str
    digest: str

    @property
    def external_id(self) -> str:
        return self.values.get("OpportunityID", "")

    def record(self) -> OpportunityRecord:
        return record_from_fields(self.values, is_forecast=self.is_forecast, source=self.source)


# Part of every digest: raise it whenever record_from_fields or what it calls (sanitising, parsing)
# changes what a record becomes, so the next import normalises every record again.
NORMALISATION_VERSION = 1


def _digest(values: dict, is_forecast: bool) -> str:
    parts = [f"{name}={value!r}" for name, value in sorted(values.items())]
    parts.append(f"forecast={is_forecast};version={NORMALISATION_VERSION}")
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def iter_extract_raw(path: Path | str, *, source: str = SOURCE) -> Iterator[RawRecord | Exception]:
    """Each record of the extract in file order, parsed only; a record that cannot be read yields its error."""
    path = Path(path)
    with _open_extract(path) as stream:
        root = None
        try:
            for event, element in iterparse(stream, events=("start", "end")):
                if root is None:
                    root = element
                    if _local(root.tag) != "Grants":
                        raise ExtractError(f"{path.name}: not a Grants.gov extract (root <{_local(root.tag)}>)")
                    continue
                if event != "end":
                    continue
                kind = _local(element.tag)
                if kind not in (SYNOPSIS, FORECAST):
                    continue
                values = _fields(element)
                if not values.get("OpportunityID") or not values.get("OpportunityTitle"):
                    yield ExtractError("a record without OpportunityID or OpportunityTitle")
                else:
                    forecast = kind == FORECAST
                    yield RawRecord(values, forecast, source, _digest(values, forecast))
                # Drop what was parsed so far: the tree would otherwise grow to the whole file.
                element.clear()
                root.clear()
        except SyntaxError as exc:  # xml.etree.ElementTree.ParseError; also a file cut off midway
            raise ExtractError(f"{path.name}: malformed or truncated XML ({exc})")
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:  # a damaged or cut-off archive
            raise ExtractError(f"{path.name}: the archive is damaged ({exc.__class__.__name__}: {exc})")


def iter_extract(path: Path | str, *, source: str = SOURCE) -> Iterator[OpportunityRecord | Exception]:
    """Each record of the extract in file order, normalised; a record that cannot be read yields its error."""
    for item in iter_extract_raw(path, source=source):
        if isinstance(item, Exception):
            yield item
            continue
        try:
            yield item.record()
        except ExtractError as exc:
            yield exc


def download_extract(*, directory: Path, today: date, session: requests.Session | None = None) -> Path:
    """Download the newest daily extract (today's, else yesterday's) into ``directory``.

    Grants.gov posts the day's file around 4 am Eastern, so a run just after midnight finds only
    yesterday's. Streamed to disk: the zip is ~80 MB.
    """
    session = session or requests.Session()
    timeout = settings.GRANTSGOV_TIMEOUT_SECONDS
    for day in (today, today - timedelta(days=1)):
        url = settings.GRANTSGOV_EXTRACT_URL.format(date=day.strftime("%Y%m%d"))
        path = directory / f"GrantsDBExtract{day:%Y%m%d}v2.zip"
        try:
            with session.get(url, stream=True, timeout=timeout) as response:
                if response.status_code in (403, 404):  # S3 answers 403 for a key that is not there yet
                    continue
                if response.status_code != 200:
                    raise ExtractError(f"{url}: HTTP {response.status_code}")
                with path.open("wb") as out:
                    for chunk in response.iter_content(chunk_size=1 << 20):
                        out.write(chunk)
        except requests.RequestException as exc:
            raise ExtractError(f"{url}: {exc.__class__.__name__}")
        if not zipfile.is_zipfile(path):
            raise ExtractError(f"{url}: the download is not a complete zip archive")
        return path
    raise ExtractError(f"no extract for {today:%Y-%m-%d} or the day before at {settings.GRANTSGOV_EXTRACT_URL}")
