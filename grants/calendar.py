"""An iCalendar (RFC 5545) feed of grant deadlines: one all-day event per grant."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from grants.deadlines import deadline_day


def _escape(text: str) -> str:
    return ((text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")).replace(
        "\n", "\\n"
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    chunk = b""
    for char in line:
        encoded = char.encode()
        if len(chunk) + len(encoded) > (75 if not parts else 74):
            parts.append(chunk.decode())
            chunk = b""
        chunk += encoded
    parts.append(chunk.decode())
    return "\r\n ".join(parts)


def calendar_for_grants(grants: Iterable, *, site_url: str) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Grant Finder//Grant deadlines//EN", "CALSCALE:GREGORIAN"]
    lines.append("X-WR-CALNAME:Grant deadlines")
    for grant in grants:
        day = deadline_day(grant.deadline)
        url = f"{site_url.rstrip('/')}/grants/{grant.pk}/"
        lines += [
            "BEGIN:VEVENT",
            f"UID:grant-{grant.pk}@grantfinder",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"SUMMARY:{_escape('Deadline: ' + grant.title)}",
            f"DESCRIPTION:{_escape((grant.funder_name or '') + ' ' + url)}",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
