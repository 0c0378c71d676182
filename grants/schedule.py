"""When a user's scheduled search is due, from their settings (pure; the clock is passed in).

``schedule_days`` comes from the legacy table as a JSON list of day names ("monday", "Mon") or
numbers (0 = Monday); ``schedule_time`` as "HH:MM" (UTC). Unreadable values fall back to the
defaults rather than silently never running.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DEFAULT_TIME = time(9, 0)
DEFAULT_DAYS = {"WEEKLY": [0], "TWICE_WEEKLY": [0, 3]}


def parse_time(value: str | None) -> time:
    try:
        hours, minutes = (int(part) for part in (value or "").strip().split(":")[:2])
        return time(hours, minutes)
    except (ValueError, TypeError):
        return DEFAULT_TIME


def parse_days(value) -> list[int]:
    days = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, int) and 0 <= item <= 6:
            days.append(item)
        elif isinstance(item, str):
            text = item.strip().lower()
            if text.isdigit() and 0 <= int(text) <= 6:
                days.append(int(text))
            for number, name in enumerate(DAY_NAMES):
                if text and name.startswith(text[:3]) and len(text) >= 3:
                    days.append(number)
    return sorted(set(days))


def last_slot(*, frequency: str | None, days, at: str | None, now: datetime) -> datetime | None:
    """The most recent scheduled moment at or before ``now`` (within the last 31 days), or None."""
    if not frequency:
        return None
    slot_time = parse_time(at)
    weekdays = parse_days(days) or DEFAULT_DAYS.get(frequency, [])
    if frequency == "TWICE_WEEKLY":
        weekdays = weekdays[:2]
    elif frequency == "WEEKLY":
        weekdays = weekdays[:1]
    for back in range(32):
        day = (now - timedelta(days=back)).date()
        slot = datetime.combine(day, slot_time, tzinfo=now.tzinfo)
        if slot > now:
            continue
        if frequency == "DAILY":
            return slot
        if frequency == "MONTHLY" and day.day == 1:
            return slot
        if frequency in ("WEEKLY", "TWICE_WEEKLY") and day.weekday() in weekdays:
            return slot
    return None


def is_due(*, frequency: str | None, days, at: str | None, now: datetime, last_run: datetime | None) -> bool:
    slot = last_slot(frequency=frequency, days=days, at=at, now=now)
    return slot is not None and (last_run is None or last_run < slot)
