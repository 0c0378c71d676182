"""Importing 990-PF returns, and a user's saved funders and approaches.

Import rules (``funders_import``):

- returns are written in batches of ``RETURN_BATCH``, each one transaction: a run that stops
  midway keeps every batch it finished, and the next run skips those returns by object id before
  opening them (resumable); the decision to write, replace or skip is taken return by return
  (idempotent per return);
- one return is kept per EIN and tax year: a later one (by ``ReturnTs``; an amended return is
  filed later) replaces the kept one and its grants; an earlier one is skipped as ``older``;
- the funder row shows its latest tax year's return.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from funders.models import (
    ApproachStage,
    Funder,
    FunderApproach,
    FunderGrant,
    FunderReturn,
    FunderSync,
    SavedFunder,
)
from funders.sources import irs990pf

logger = logging.getLogger(__name__)
GRANT_BATCH = 10000  # grant lines per transaction, at most (about)
RETURN_BATCH = 200  # returns per transaction
MAX_ERRORS_KEPT = 50


def _is_later(parsed: irs990pf.PFReturn, kept: irs990pf.PFReturn | FunderReturn) -> bool:
    """Does the incoming return supersede the kept one for the same EIN and tax year?"""
    if parsed.filed_at and kept.filed_at and parsed.filed_at != kept.filed_at:
        return parsed.filed_at > kept.filed_at
    if parsed.amended != kept.amended:
        return parsed.amended
    # IRS object ids grow with the date they were processed.
    return parsed.object_id > kept.object_id


def _funder_fields(parsed: irs990pf.PFReturn, grants_count: int) -> dict:
    return {
        "name": parsed.name,
        "name_line2": parsed.name_line2,
        "address_line1": parsed.address.line1,
        "city": parsed.address.city,
        "state": parsed.address.state,
        "zip_code": parsed.address.zip_code,
        "country": parsed.address.country,
        "phone": parsed.phone,
        "website": parsed.website,
        "tax_year": parsed.tax_year,
        "total_assets": parsed.total_assets,
        "total_grants_paid": parsed.total_grants_paid,
        "grants_count": grants_count,
        "preselected_only": parsed.preselected_only,
        "application": [item.as_dict() for item in parsed.applications],
        "updated_at": timezone.now(),
    }


GRANT_COLUMNS = (
    "filing_id", "funder_id", "tax_year", "kind", "position", "recipient_name", "recipient_name_line2",
    "recipient_is_person", "recipient_address_line1", "recipient_city", "recipient_state", "recipient_zip",
    "recipient_country", "relationship", "foundation_status", "purpose", "amount",
)  # fmt: skip


def _copy_grants(items) -> None:
    """The grant lines of the new returns, written with COPY (a year holds 1.5M+ of them)."""
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {FunderGrant._meta.db_table} ({', '.join(GRANT_COLUMNS)}) FROM STDIN") as copy,
    ):
        for parsed, filing, funder in items:
            for line in parsed.grants:
                address = line.address
                copy.write_row((
                    filing.pk, funder.pk, filing.tax_year, line.kind, line.position, line.recipient_name,
                    line.recipient_name_line2, line.recipient_is_person, address.line1, address.city[:100],
                    address.state[:100], address.zip_code[:20], address.country[:60], line.relationship,
                    line.foundation_status, line.purpose, line.amount,
                ))  # fmt: skip


def _tax_year(parsed: irs990pf.PFReturn) -> int:
    assert parsed.tax_year is not None, "funders_import batches only returns with a tax year"
    return parsed.tax_year


def _store_batch(batch: list[irs990pf.PFReturn], sync: FunderSync) -> None:
    """Write a batch of parsed returns in one transaction, deciding return by return.

    Few queries per batch rather than per return: returns are small and a year holds 110,000 of
    them, so round trips and commits, not parsing, would set the pace.
    """
    # Within the batch, the later of two returns for the same EIN and year wins.
    chosen: dict[tuple[str, int], irs990pf.PFReturn] = {}
    for parsed in batch:
        key = (parsed.ein, _tax_year(parsed))
        if key in chosen and not _is_later(parsed, chosen[key]):
            sync.older += 1
            continue
        if key in chosen:
            sync.older += 1
        chosen[key] = parsed
    with transaction.atomic():
        # Not waiting for the WAL flush at each commit: a crash can lose the last batches, which
        # the next run imports again (returns are skipped by object id only once committed).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        eins = sorted({ein for ein, _ in chosen})
        funders = {f.ein: f for f in Funder.objects.select_for_update().filter(ein__in=eins).order_by("ein")}
        created = []
        for ein in eins:
            if ein not in funders:
                latest = max((p for p in chosen.values() if p.ein == ein), key=_tax_year)
                paid = sum(1 for line in latest.grants if line.kind == "paid")
                created.append(Funder(ein=ein, **_funder_fields(latest, paid)))
        created_eins = {funder.ein for funder in created}
        for funder in Funder.objects.bulk_create(created):
            funders[funder.ein] = funder
        kept = {
            (filing.funder.ein, filing.tax_year): filing
            for filing in FunderReturn.objects.filter(funder__in=funders.values(), tax_year__in={y for _, y in chosen})
            .select_related("funder")
        }  # fmt: skip
        to_write, replaced = [], []
        for key, parsed in chosen.items():
            old = kept.get(key)
            if old is not None:
                if not _is_later(parsed, old):
                    sync.older += 1
                    continue
                replaced.append(old.pk)
            to_write.append(parsed)
        FunderReturn.objects.filter(pk__in=replaced).delete()  # their grants go with them (CASCADE)
        filings = FunderReturn.objects.bulk_create(
            [
                FunderReturn(
                    object_id=parsed.object_id,
                    funder=funders[parsed.ein],
                    tax_year=_tax_year(parsed),
                    tax_period_begin=parsed.tax_period_begin,
                    tax_period_end=parsed.tax_period_end,
                    return_version=parsed.return_version,
                    filed_at=parsed.filed_at,
                    amended=parsed.amended,
                    total_assets=parsed.total_assets,
                    total_grants_paid=parsed.total_grants_paid,
                    total_future_grants=parsed.total_future_grants,
                    paid_grants=sum(1 for line in parsed.grants if line.kind == "paid"),
                    preselected_only=parsed.preselected_only,
                    application=[item.as_dict() for item in parsed.applications],
                )
                for parsed in to_write
            ]
        )
        _copy_grants((parsed, filing, funders[parsed.ein]) for parsed, filing in zip(to_write, filings, strict=True))
        # Each funder shows its latest tax year's return (new funders were created from theirs).
        for parsed in sorted(to_write, key=_tax_year):  # the latest year applied last
            funder = funders[parsed.ein]
            if funder.ein in created_eins:
                continue
            if funder.tax_year is None or _tax_year(parsed) >= funder.tax_year:
                paid = sum(1 for line in parsed.grants if line.kind == "paid")
                fields = _funder_fields(parsed, paid)
                Funder.objects.filter(pk=funder.pk).update(**fields)
                for name, value in fields.items():
                    setattr(funder, name, value)
    sync.new += len(to_write) - len(replaced)
    sync.replaced += len(replaced)
    sync.grants += sum(len(parsed.grants) for parsed in to_write)


def _note_error(sync: FunderSync, message: str) -> None:
    sync.failed += 1
    if len(sync.errors) < MAX_ERRORS_KEPT:
        sync.errors.append(message)
    logger.warning("990-PF import: %s", message)


def funders_import(*, path: Path | str, source: str = "irs-990pf") -> FunderSync:
    """Import every 990-PF return at ``path`` (a return, a folder or a zip of them)."""
    sync = FunderSync.objects.create(source=source, path=str(path))
    known = set(FunderReturn.objects.values_list("object_id", flat=True))
    batch: list[irs990pf.PFReturn] = []
    grants_in_batch = 0

    def flush() -> None:
        nonlocal grants_in_batch
        if batch:
            _store_batch(batch, sync)
            known.update(parsed.object_id for parsed in batch)
            batch.clear()
            grants_in_batch = 0
            sync.save()  # progress is visible while a long import runs

    try:
        for item in irs990pf.iter_sources(path):
            if item.object_id in known or any(p.object_id == item.object_id for p in batch):
                sync.unchanged += 1
                continue
            try:
                parsed = item.read()
            except irs990pf.ReturnError as exc:
                _note_error(sync, str(exc))
                continue
            if parsed.return_type != irs990pf.RETURN_TYPE:
                sync.skipped += 1
                continue
            if not (parsed.ein.isdigit() and len(parsed.ein) == 9) or parsed.tax_year is None:
                _note_error(sync, f"{item.object_id}: no filer EIN or tax year")
                continue
            batch.append(parsed)
            grants_in_batch += len(parsed.grants)
            if len(batch) >= RETURN_BATCH or grants_in_batch >= GRANT_BATCH:
                flush()
        flush()
    except irs990pf.ReturnError as exc:
        _note_error(sync, str(exc))
        sync.status = "failed"
    except Exception:
        sync.status = "failed"
        sync.finished_at = timezone.now()
        sync.save()
        raise
    else:
        sync.status = "partial" if sync.failed else "success"
    sync.finished_at = timezone.now()
    sync.save()
    return sync


def funder_save(*, user, funder: Funder) -> SavedFunder:
    saved, _ = SavedFunder.objects.get_or_create(
        user=user, funder=funder, defaults={"last_seen_return": funder.returns.order_by("-tax_year").first()}
    )
    return saved


def funder_unsave(*, user, funder: Funder) -> None:
    SavedFunder.objects.filter(user=user, funder=funder).delete()


def saved_funder_filing_notes(*, user) -> tuple[list[str], Callable[[], None]]:
    """Digest notes for the user's saved funders that filed a return since they were last told.

    Registered with ``grants.services.alerts.digest_notes``; ``confirm`` records what was told.
    """
    saved = list(SavedFunder.objects.filter(user=user).select_related("funder"))
    if not saved:
        return [], lambda: None
    latest = {
        filing.funder_id: filing
        for filing in FunderReturn.objects.filter(funder_id__in=[s.funder_id for s in saved])
        .order_by("funder_id", "-tax_year", "-filed_at", "-pk")
        .distinct("funder_id")
    }
    fresh = [
        (s, latest[s.funder_id])
        for s in saved
        if s.funder_id in latest and latest[s.funder_id].pk != s.last_seen_return_id
    ]
    notes = []
    for item, filing in fresh:
        paid = f"${filing.total_grants_paid:,} in grants" if filing.total_grants_paid is not None else "its grants"
        path = reverse("funders:detail", args=[item.funder.ein])
        notes.append(f"{item.funder.name} filed its {filing.tax_year} return: {paid}. {settings.SITE_URL}{path}")

    def confirm() -> None:
        for item, filing in fresh:
            SavedFunder.objects.filter(pk=item.pk).update(last_seen_return=filing)

    return notes, confirm


def approach_log(*, user, funder: Funder, stage: str, happened_on, amount=None, notes: str = "") -> FunderApproach:
    if stage not in ApproachStage.values:
        raise ValueError(f"unknown stage {stage!r}")
    return FunderApproach.objects.create(
        user=user, funder=funder, stage=stage, happened_on=happened_on, amount=amount, notes=notes
    )
