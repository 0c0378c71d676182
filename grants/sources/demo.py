"""The bundled sample catalog: fictional opportunities in the XML extract format.

Its dates are written around ``DEMO_ANCHOR``; loading moves them by the days since then, so the
sample deadlines stay in the future however old the file gets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from grants.demo.extract_writer import DEMO_ANCHOR
from grants.sources.grantsgov_xml import iter_extract
from grants.sources.normalize import OpportunityRecord

SOURCE = "demo"
CATALOG = Path(__file__).resolve().parent.parent / "demo" / "catalog.xml"
DATE_FIELDS = ("post_date", "close_date", "archive_date", "last_updated")


def iter_demo_records(*, today: date, path: Path = CATALOG) -> Iterator[OpportunityRecord | Exception]:
    shift = today - DEMO_ANCHOR
    for record in iter_extract(path, source=SOURCE):
        if isinstance(record, Exception):
            yield record
            continue
        moved = {name: getattr(record, name) + shift for name in DATE_FIELDS if getattr(record, name)}
        yield replace(record, **moved)
