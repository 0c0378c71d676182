"""Importing 990-PF returns, and a user's saved funders and approaches.

Import rules (``funders_import``):

- one return = one transaction: a run that stops midway keeps every return it finished, and the
  next run skips those by object id before opening them (resumable, and idempotent per return);
- one return is kept per EIN and tax year: a later one (by ``ReturnTs``; an amended return is
  filed later) replaces the kept one and its grants; an earlier one is skipped as ``older``;
- the funder row shows its latest tax year's return.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
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
GRANT_BATCH = 2000
MAX_ERRORS_KEPT = 50


def _is_later(parsed: irs990pf.PFReturn, kept: FunderReturn) -> bool:
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


def _grant_rows(parsed: irs990pf.PFReturn, filing: FunderReturn, funder: Funder):
    for line in parsed.grants:
        yield FunderGrant(
            filing=filing,
            funder=funder,
            tax_year=filing.tax_year,
            kind=line.kind,
            position=line.position,
            recipient_name=line.recipient_name,
            recipient_name_line2=line.recipient_name_line2,
            recipient_is_person=line.recipient_is_person,
            recipient_address_line1=line.address.line1,
            recipient_city=line.address.city[:100],
            recipient_state=line.address.state[:100],
            recipient_zip=line.address.zip_code[:20],
            recipient_country=line.address.country[:60],
            relationship=line.relationship,
            foundation_status=line.foundation_status,
            purpose=line.purpose,
            amount=line.amount,
        )


def _store(parsed: irs990pf.PFReturn) -> str:
    """Write one parsed return; answers "new", "replaced" or "older"."""
    paid = sum(1 for line in parsed.grants if line.kind == "paid")
    with transaction.atomic():
        funder, created = Funder.objects.select_for_update().get_or_create(
            ein=parsed.ein, defaults=_funder_fields(parsed, paid)
        )
        kept = FunderReturn.objects.filter(funder=funder, tax_year=parsed.tax_year).first()
        outcome = "new"
        if kept is not None:
            if not _is_later(parsed, kept):
                return "older"
            kept.delete()  # its grants go with it (CASCADE)
            outcome = "replaced"
        filing = FunderReturn.objects.create(
            object_id=parsed.object_id,
            funder=funder,
            tax_year=parsed.tax_year,
            tax_period_begin=parsed.tax_period_begin,
            tax_period_end=parsed.tax_period_end,
            return_version=parsed.return_version,
            filed_at=parsed.filed_at,
            amended=parsed.amended,
            total_assets=parsed.total_assets,
            total_grants_paid=parsed.total_grants_paid,
            total_future_grants=parsed.total_future_grants,
            preselected_only=parsed.preselected_only,
            application=[item.as_dict() for item in parsed.applications],
        )
        FunderGrant.objects.bulk_create(_grant_rows(parsed, filing, funder), batch_size=GRANT_BATCH)
        if not created and (funder.tax_year is None or parsed.tax_year >= funder.tax_year):
            for name, value in _funder_fields(parsed, paid).items():
                setattr(funder, name, value)
            funder.save()
    return outcome


def _note_error(sync: FunderSync, message: str) -> None:
    sync.failed += 1
    if len(sync.errors) < MAX_ERRORS_KEPT:
        sync.errors.append(message)
    logger.warning("990-PF import: %s", message)


def funders_import(*, path: Path | str, source: str = "irs-990pf") -> FunderSync:
    """Import every 990-PF return at ``path`` (a return, a folder or a zip of them)."""
    sync = FunderSync.objects.create(source=source, path=str(path))
    known = set(FunderReturn.objects.values_list("object_id", flat=True))
    try:
        for item in irs990pf.iter_sources(path):
            if item.object_id in known:
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
            try:
                outcome = _store(parsed)
            except IntegrityError as exc:  # e.g. the same object id under two file names
                _note_error(sync, f"{item.object_id}: {exc}")
                continue
            setattr(sync, outcome, getattr(sync, outcome) + 1)
            if outcome != "older":
                sync.grants += len(parsed.grants)
                known.add(item.object_id)
            if (sync.new + sync.replaced) % 500 == 0:
                sync.save()  # progress is visible while a long import runs
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
