"""Filling the shared opportunity catalog from the source adapters, recording what changed."""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from grants.criteria import OpportunityStatus
from grants.models import CatalogSync, Opportunity, OpportunitySource, SearchRunStatus
from grants.sources import ca_portal, demo, grantsgov, grantsgov_xml
from grants.sources.normalize import OpportunityRecord, html_to_text, safe_url

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_RECORDED_ERRORS = 50
# After this many detail failures in a row Grants.gov is taken to be down and the sync stops.
MAX_DETAIL_FAILURES_IN_A_ROW = 20
CONTENT_FIELDS = (
    "number", "title", "agency_code", "agency_name", "status", "is_forecast", "description",
    "description_text", "categories", "funding_instruments", "eligible_applicants", "eligibility_text",
    "cfda_numbers", "post_date", "close_date", "close_date_text", "is_rolling", "archive_date",
    "award_ceiling", "award_floor", "estimated_total_funding", "expected_awards", "cost_sharing", "url",
    "contact_email", "last_updated",
)  # fmt: skip
OPEN = (OpportunityStatus.FORECASTED, OpportunityStatus.POSTED)
ENDED = (OpportunityStatus.CLOSED, OpportunityStatus.ARCHIVED)


class DetailUnavailable(grantsgov.GrantsGovError):
    """One opportunity's detail could not be fetched; its stored record is left as it is."""


def _fields(record: OpportunityRecord, today: date) -> dict:
    values = dict(record.__dict__)  # shallow: asdict() deep-copies every list, twice as slow
    values["description"] = values.pop("description_html")
    values["description_text"] = html_to_text(values["description"])
    values["status"] = record.status_on(today)
    # Over-long values from a source must not fail the whole batch.
    values["url"] = safe_url(values["url"])[:1000]
    values["title"] = values["title"][:2000]
    values["number"] = values["number"][:100]
    values["agency_code"] = values["agency_code"][:50]
    values["contact_email"] = values["contact_email"][:255]
    return {name: values[name] for name in CONTENT_FIELDS}


def _hash(fields: dict) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


class SyncCounter:
    """Counts for one sync, kept on its CatalogSync row."""

    def __init__(self, sync: CatalogSync):
        self.sync = sync
        self.seen: set[str] = set()

    def error(self, message: str) -> None:
        self.sync.failed += 1
        if len(self.sync.errors) < MAX_RECORDED_ERRORS:
            self.sync.errors.append(message)


def _upsert_batch(
    records: list[OpportunityRecord], *, counter: SyncCounter, today: date, digests: dict | None = None
) -> None:
    """``digests``: each record's source digest by (source, external_id), stored as source_hash."""
    sync = counter.sync
    digests = digests or {}
    incoming: dict[tuple[str, str], dict] = {}
    for record in records:
        key = (record.source, record.external_id)
        fields = _fields(record, today)
        earlier = incoming.get(key)
        # The extract lists an opportunity's forecast and its synopsis; the synopsis wins.
        if earlier and not earlier["is_forecast"] and fields["is_forecast"]:
            continue
        incoming[key] = fields
        counter.seen.add(record.external_id)
    sources = {source for source, _ in incoming}
    in_batch = Opportunity.objects.filter(
        source__in=sources, external_id__in=[external_id for _, external_id in incoming]
    )
    # Hashes first: most records of a daily extract are unchanged, and their text is not needed.
    hashes = {
        (row["source"], row["external_id"]): row
        for row in in_batch.values("pk", "source", "external_id", "content_hash", "is_forecast", "source_hash")
    }
    incoming_hashes = {key: _hash(fields) for key, fields in incoming.items()}
    changed_pks = [row["pk"] for key, row in hashes.items() if row["content_hash"] != incoming_hashes[key]]
    existing = {
        (row["source"], row["external_id"]): row
        for row in Opportunity.objects.filter(pk__in=changed_pks).values(
            "source", "external_id", "content_hash", *CONTENT_FIELDS
        )
    }
    existing |= {key: row for key, row in hashes.items() if key not in existing}
    now = timezone.now()
    to_write = []
    restamp = []  # same content, new source digest (a record normalised to what it was)
    for (source, external_id), fields in incoming.items():
        content_hash = incoming_hashes[(source, external_id)]
        digest = digests.get((source, external_id), "")
        old = existing.get((source, external_id))
        if old is None:
            sync.new += 1
            changed = []
        elif old["content_hash"] == content_hash:
            sync.unchanged += 1
            if digest and hashes[(source, external_id)]["source_hash"] != digest:
                restamp.append(Opportunity(pk=hashes[(source, external_id)]["pk"], source_hash=digest))
            continue
        elif fields["is_forecast"] and not old["is_forecast"]:
            sync.unchanged += 1  # a stale forecast never replaces the posted synopsis
            continue
        else:
            sync.updated += 1
            changed = [name for name in CONTENT_FIELDS if old[name] != fields[name]]
            if fields["status"] in ENDED and old["status"] in OPEN:
                sync.closed += 1
        to_write.append([source, external_id, *fields.values(), content_hash, digest, changed, now, now])
    if to_write:
        _copy_upsert(to_write)
    if restamp:
        Opportunity.objects.bulk_update(restamp, ["source_hash"])


# The columns _copy_upsert writes, in the order of its rows; the last three are set on insert only
# (first_seen_at) or on every write.
_WRITTEN = ["source", "external_id", *CONTENT_FIELDS, "content_hash", "source_hash", "changed_fields",
            "first_seen_at", "updated_at"]  # fmt: skip
_JSON_COLUMNS = {"categories", "funding_instruments", "eligible_applicants", "cfda_numbers", "changed_fields"}


def _copy_upsert(rows: list[list]) -> None:
    """Insert or update a batch: COPY into a staging table, then one INSERT ... ON CONFLICT.

    Django's bulk_create(update_conflicts=True) builds one statement with ~30 parameters per row
    in Python; COPY streams the rows, and the upsert runs in the database (bench: the first
    import of an 83,000-record extract).
    """
    json_positions = [i for i, name in enumerate(_WRITTEN) if name in _JSON_COLUMNS]
    columns = ", ".join(_WRITTEN)
    updates = ", ".join(f"{name} = excluded.{name}" for name in _WRITTEN if name not in ("source", "external_id",
                                                                                        "first_seen_at"))  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS opportunity_staging ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM opportunities WITH NO DATA"
        )
        with cursor.copy(f"COPY opportunity_staging ({columns}) FROM STDIN") as copy:
            for row in rows:
                for position in json_positions:
                    row[position] = json.dumps(row[position])
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO opportunities ({columns}) SELECT {columns} FROM opportunity_staging"
            f" ON CONFLICT (source, external_id) DO UPDATE SET {updates}"
        )
        cursor.execute("DELETE FROM opportunity_staging")


def _status_on(row: Mapping[str, Any], today: date) -> str:
    """A stored row's status as of ``today`` (OpportunityRecord.status_on, from stored columns)."""
    if row["archive_date"] and row["archive_date"] < today:
        return OpportunityStatus.ARCHIVED
    if row["is_forecast"]:
        return OpportunityStatus.FORECASTED
    if row["close_date"] and row["close_date"] < today:
        return OpportunityStatus.CLOSED
    return OpportunityStatus.POSTED


def _normalise_changed(raws: list, *, counter: SyncCounter, today: date) -> tuple[list[OpportunityRecord], dict]:
    """The raw records worth normalising: new ones, and those whose source digest changed.

    A record the source sent exactly as last time, whose stored status is still today's, is
    counted unchanged without sanitising its HTML again: most of a daily extract.
    """
    latest: dict[tuple[str, str], grantsgov_xml.RawRecord] = {}
    for raw in raws:
        key = (raw.source, raw.external_id)
        earlier = latest.get(key)
        # As in _upsert_batch: the synopsis wins over the forecast of the same opportunity.
        if earlier is not None and not earlier.is_forecast and raw.is_forecast:
            continue
        latest[key] = raw
    stored = {
        (row["source"], row["external_id"]): row
        for row in Opportunity.objects.filter(
            source__in={source for source, _ in latest}, external_id__in=[external_id for _, external_id in latest]
        ).values("source", "external_id", "source_hash", "status", "is_forecast", "close_date", "archive_date")
    }
    records, digests = [], {}
    for key, raw in latest.items():
        row = stored.get(key)
        if row is not None and row["source_hash"] == raw.digest and row["status"] == _status_on(row, today):
            counter.sync.unchanged += 1
            counter.seen.add(raw.external_id)
            continue
        try:
            records.append(raw.record())
        except grantsgov_xml.ExtractError as exc:
            counter.error(str(exc))
            continue
        digests[key] = raw.digest
    return records, digests


def catalog_upsert(*, records: Iterable[OpportunityRecord | Exception], counter: SyncCounter, today: date) -> None:
    """Insert new opportunities and update changed ones, a batch (one transaction) at a time.

    When the source breaks off midway, what it had already sent is written before the error
    goes up, so a partial sync keeps its partial results.
    """
    batch: list = []

    def flush() -> None:
        with transaction.atomic():
            if isinstance(batch[0], grantsgov_xml.RawRecord):
                records, digests = _normalise_changed(batch, counter=counter, today=today)
                if records:
                    _upsert_batch(records, counter=counter, today=today, digests=digests)
            else:
                _upsert_batch(batch, counter=counter, today=today)
        batch.clear()

    try:
        for item in records:
            if isinstance(item, Exception):
                counter.error(str(item))
            elif isinstance(item, grantsgov_xml.RawRecord):
                if len(item.external_id) > 64:
                    counter.error(f"record {item.external_id[:64]}: an id too long")
                    continue
                batch.append(item)
                if len(batch) >= BATCH_SIZE:
                    flush()
            elif not item.external_id or not item.title or len(item.external_id) > 64:
                counter.error(f"record {item.external_id[:64] or '?'}: no id or title, or an id too long")
            else:
                batch.append(item)
                if len(batch) >= BATCH_SIZE:
                    flush()
    finally:
        if batch:
            flush()


def catalog_close_expired(*, today: date, source: str | None = None) -> int:
    """Open opportunities whose close date has passed become closed."""
    opportunities = Opportunity.objects.filter(status__in=OPEN, close_date__lt=today)
    if source:
        opportunities = opportunities.filter(source=source)
    return opportunities.update(status=OpportunityStatus.CLOSED, changed_fields=["status"], updated_at=timezone.now())


def _unreadable(count: int) -> str:
    return f"{count} record(s) could not be read."


def _finish(sync: CatalogSync, *, error: str = "") -> CatalogSync:
    if error:
        sync.error_message = error
        sync.status = (
            SearchRunStatus.PARTIAL if (sync.new or sync.updated or sync.unchanged) else SearchRunStatus.FAILED
        )
    elif sync.failed:
        sync.status = SearchRunStatus.PARTIAL
        sync.error_message = _unreadable(sync.failed)
    else:
        sync.status = SearchRunStatus.SUCCESS
    sync.finished_at = timezone.now()
    sync.save()
    return sync


def _run(
    *, label: str, source: str, records: Iterable, today: date | None, on_complete=None, atomic: bool = False
) -> CatalogSync:
    """One sync: upsert what the source sends, then close what ended.

    ``atomic``: all or nothing. A file source (the XML extract) that turns out truncated or
    corrupt midway then changes no opportunity at all, instead of leaving half a file applied.
    """
    today = today or timezone.localdate()
    sync = CatalogSync.objects.create(source=label)
    counter = SyncCounter(sync)
    try:
        with transaction.atomic() if atomic else nullcontext():
            catalog_upsert(records=records, counter=counter, today=today)
            if on_complete:
                sync.closed += on_complete(counter)
            sync.closed += catalog_close_expired(today=today, source=source)
    except (grantsgov.GrantsGovError, grantsgov_xml.ExtractError, ca_portal.CaPortalError) as exc:
        if atomic:  # rolled back: nothing that was counted happened
            sync.new = sync.updated = sync.unchanged = sync.closed = 0
        return _finish(sync, error=str(exc))
    except Exception as exc:  # the row must never stay IN_PROGRESS
        logger.exception("catalog sync %s failed", sync.pk)
        _finish(sync, error=f"Unexpected error: {exc.__class__.__name__}: {exc}")
        raise
    return _finish(sync)


def catalog_sync_xml(*, path: Path | str, today: date | None = None) -> CatalogSync:
    """Import a Grants.gov XML extract (zip or XML), streamed; unchanged records are not normalised."""
    records = grantsgov_xml.iter_extract_raw(path)
    return _run(label="grantsgov-xml", source=OpportunitySource.GRANTSGOV, records=records, today=today, atomic=True)


def catalog_sync_ca_portal(
    *, path: Path | str | None = None, client: ca_portal.CaPortalClient | None = None, today: date | None = None
) -> CatalogSync:
    """California Grants Portal records: from a datastore dump (JSON or CSV) or the datastore API."""

    def close_unlisted(counter: SyncCounter) -> int:
        # The portal lists every record, closed ones too: one missing from a complete, clean listing
        # was withdrawn. A listing with unreadable records (or none at all) closes nothing.
        if counter.sync.failed or not counter.seen:
            return 0
        gone = Opportunity.objects.filter(source=OpportunitySource.CA_PORTAL, status__in=OPEN).exclude(
            external_id__in=counter.seen
        )
        return gone.update(status=OpportunityStatus.CLOSED, changed_fields=["status"], updated_at=timezone.now())

    if path is not None:
        return _run(label="ca-portal-dump", source=OpportunitySource.CA_PORTAL, records=ca_portal.iter_dump(path),
                    today=today, on_complete=close_unlisted)  # fmt: skip
    client = client or ca_portal.CaPortalClient()
    sync = _run(label="ca-portal-api", source=OpportunitySource.CA_PORTAL, records=ca_portal.iter_api(client),
                today=today, on_complete=close_unlisted)  # fmt: skip
    sync.api_calls = client.calls
    sync.save(update_fields=["api_calls"])
    return sync


def catalog_sync_grantsgov(*, today: date | None = None) -> CatalogSync:
    """The scheduled catalog refresh: Grants.gov by ``GRANTSGOV_SYNC_METHOD``.

    "api" pages through search2 and fetches each opportunity; "xml" downloads the day's extract
    and imports it (all or nothing). A download that fails is recorded as a failed sync.
    """
    if settings.GRANTSGOV_SYNC_METHOD != "xml":
        return catalog_sync_api(today=today)
    today = today or timezone.localdate()
    with tempfile.TemporaryDirectory(prefix="grantsgov-extract-") as directory:
        try:
            path = grantsgov_xml.download_extract(directory=Path(directory), today=today)
        except grantsgov_xml.ExtractError as exc:
            return _finish(CatalogSync.objects.create(source="grantsgov-xml"), error=str(exc))
        return catalog_sync_xml(path=path, today=today)


def catalog_sync_demo(*, today: date | None = None) -> CatalogSync:
    """Load the bundled sample catalog, its dates moved so that it always looks current."""
    today = today or timezone.localdate()
    records = demo.iter_demo_records(today=today)
    return _run(label="demo", source=OpportunitySource.DEMO, records=records, today=today)


def catalog_sync_api(*, client: grantsgov.GrantsGovClient | None = None, today: date | None = None) -> CatalogSync:
    """Page through every forecasted and posted opportunity on Grants.gov and fetch each one.

    A detail that cannot be fetched (timeout, 5xx, a 200 carrying only an error message, an
    empty answer) changes nothing: the stored record stays whole, the opportunity is not closed,
    the sync ends PARTIAL naming how many were missed, and the next sync fetches them again.
    Never is a full record replaced by the thin search hit.
    """
    client = client or grantsgov.GrantsGovClient()
    unfetched: list[str] = []

    def records() -> Iterator[OpportunityRecord | Exception]:
        in_a_row = 0
        for hit in client.iter_hits(statuses=grantsgov.OPEN_STATUSES):
            opportunity_id = str(hit.get("id"))
            try:
                detail = client.fetch(opportunity_id)
            except grantsgov.GrantsGovError as exc:
                unfetched.append(opportunity_id)
                in_a_row += 1
                if in_a_row >= MAX_DETAIL_FAILURES_IN_A_ROW:
                    # Grants.gov is down: stop rather than wait out a timeout per opportunity.
                    raise grantsgov.GrantsGovError(
                        f"Grants.gov stopped answering: {in_a_row} details in a row could not be fetched ({exc})"
                    ) from exc
                yield DetailUnavailable(f"opportunity {opportunity_id}: {exc}")
                continue
            in_a_row = 0
            if detail:
                yield grantsgov.record_from_detail(detail)
            elif not Opportunity.objects.filter(
                source=OpportunitySource.GRANTSGOV, external_id=opportunity_id
            ).exists():
                # Listed, yet "no record found": list it from the hit until the detail appears.
                yield grantsgov.record_from_hit(hit)

    def close_unlisted(counter: SyncCounter) -> int:
        # Only a complete listing tells us what Grants.gov no longer lists as open.
        listed = counter.seen | set(unfetched)
        gone = Opportunity.objects.filter(source=OpportunitySource.GRANTSGOV, status__in=OPEN).exclude(
            external_id__in=listed
        )
        return gone.update(status=OpportunityStatus.CLOSED, changed_fields=["status"], updated_at=timezone.now())

    sync = _run(
        label="grantsgov-api",
        source=OpportunitySource.GRANTSGOV,
        records=records(),
        today=today,
        on_complete=close_unlisted,
    )
    sync.api_calls = client.calls
    if unfetched:
        missed = (
            f"{len(unfetched)} opportunity detail(s) could not be fetched from Grants.gov; "
            "their stored records were kept and the next sync fetches them again."
        )
        if sync.error_message and sync.error_message != _unreadable(sync.failed):
            missed = f"{sync.error_message} {missed}"
        sync.error_message = missed
        if sync.status == SearchRunStatus.SUCCESS:
            sync.status = SearchRunStatus.PARTIAL
    sync.save(update_fields=["api_calls", "error_message", "status"])
    return sync
