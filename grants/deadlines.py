"""Deadlines: Grants.gov closes at 11:59 pm US Eastern unless the notice says otherwise, so
deadlines are stored as that moment and shown as dates in that zone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

DEADLINE_ZONE = ZoneInfo("America/New_York")


def deadline_from_date(day: date | None) -> datetime | None:
    return datetime.combine(day, time(23, 59), tzinfo=DEADLINE_ZONE) if day else None


def deadline_local(moment: datetime) -> datetime:
    return moment.astimezone(DEADLINE_ZONE)


def deadline_day(moment: datetime) -> date:
    return deadline_local(moment).date()


def deadline_text(moment: datetime | None, fmt: str = "j M Y") -> str:
    """A deadline as a date in US Eastern time, where federal deadlines are set ("" when none)."""
    from django.utils.dateformat import format as date_format

    return date_format(deadline_local(moment), fmt) if moment else ""
