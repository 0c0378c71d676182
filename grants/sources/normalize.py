"""Turning what the grant sources send into clean values.

The sources disagree with themselves: two spellings of some fields, three date formats, money
as strings ("none", "0", "$1,500,000"), stand-in close dates far in the future for "apply any
time", and descriptions that are HTML or plain text. Every adapter funnels through here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import cast

import nh3

from grants.criteria import OpportunityStatus

# Close dates at or after this year are placeholders for "rolling" (DOS uses 2099, NSF 2076).
STAND_IN_CLOSE_YEAR = 2070

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a", "h3", "h4", "blockquote", "table"}
ALLOWED_TAGS |= {"thead", "tbody", "tr", "td", "th", "span", "div", "u", "sub", "sup"}

_DATE_FORMATS = (
    "%m/%d/%Y",  # search2 hits: 10/11/2023
    "%m%d%Y",  # XML extract: 10112023
    "%Y-%m-%d-%H-%M-%S",  # fetchOpportunity ...Str fields: 2021-02-22-00-00-00
    "%Y-%m-%d",  # Simpler.Grants.gov and our own forms
    "%b %d, %Y %I:%M:%S %p",  # fetchOpportunity plain fields, once the zone is cut off
)
_TRAILING_ZONE = re.compile(r"\s+[A-Z]{2,5}$")


@dataclass
class OpportunityRecord:
    """One opportunity as a source describes it, already normalised; what the catalog upserts."""

    source: str
    external_id: str
    title: str
    number: str = ""
    agency_code: str = ""
    agency_name: str = ""
    is_forecast: bool = False
    description_html: str = ""
    categories: list[str] = field(default_factory=list)
    funding_instruments: list[str] = field(default_factory=list)
    eligible_applicants: list[str] = field(default_factory=list)
    eligibility_text: str = ""
    cfda_numbers: list[str] = field(default_factory=list)
    post_date: date | None = None
    close_date: date | None = None
    close_date_text: str = ""
    is_rolling: bool = False
    archive_date: date | None = None
    award_ceiling: int | None = None
    award_floor: int | None = None
    estimated_total_funding: int | None = None
    expected_awards: int | None = None
    cost_sharing: bool | None = None
    url: str = ""
    contact_email: str = ""
    last_updated: date | None = None

    def status_on(self, today: date) -> str:
        """Forecasted, posted, closed or archived as of ``today``."""
        if self.archive_date and self.archive_date < today:
            return OpportunityStatus.ARCHIVED
        if self.is_forecast:
            return OpportunityStatus.FORECASTED
        if self.close_date and self.close_date < today:
            return OpportunityStatus.CLOSED
        return OpportunityStatus.POSTED


def parse_date(value: object) -> date | None:
    """A date from any of the sources' formats; ``None`` for blanks and garbage."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text or text.lower() in {"none", "null", "undefined", "n/a"}:
        return None
    # Fast paths for the all-digit forms (strptime is slow, and an extract holds ~400,000 dates).
    try:
        if len(text) == 8 and text.isdigit():
            return date(int(text[4:]), int(text[:2]), int(text[2:4]))
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[:2]), int(text[3:5]))
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        return None
    text = _TRAILING_ZONE.sub("", text)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - dates only, no zone meant
        except ValueError:
            continue
    return None


def close_date_split(value: date | None) -> tuple[date | None, bool]:
    """(close date, rolling?): a stand-in far-future date means "apply any time"."""
    if value and value.year >= STAND_IN_CLOSE_YEAR:
        return None, True
    return value, False


def parse_money(value: object) -> int | None:
    """Whole dollars from "none", "0", "1500000", "$1,500,000.00"; unstated amounts are ``None``.

    Grants.gov writes 0 where an amount was not given, so 0 is treated as unknown, not free.
    """
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().replace("$", "").replace(",", "")
    if not text or text.lower() in {"none", "null", "n/a"}:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if amount <= 0:
        return None
    return int(amount.to_integral_value())


def parse_int(value: object) -> int | None:
    amount = parse_money(value)
    return amount


def parse_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in {"y", "yes", "true", "1"}:
        return True
    if text in {"n", "no", "false", "0"}:
        return False
    return None


# How many layers of escaping are undone: the extract escapes HTML once for XML and sometimes
# once more ("S&amp;amp;T", "&amp;lt;br/&amp;gt;"); three covers every recording seen.
MAX_UNESCAPES = 3
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPED_ENTITY = re.compile(r"&amp;(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BREAK_TAG = re.compile(r"<br\s*/?>|</p\s*>|</div\s*>|</li\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,2000}>")
# Spaces that only typography wants (no-break, narrow no-break, thin): plain spaces for search.
_ODD_SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})


def decode_entities(value: str | None) -> str:
    """Text with every HTML entity decoded, however many times it was escaped."""
    text = value or ""
    for _ in range(MAX_UNESCAPES):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def clean_text(value: str | None) -> str:
    """Plain text from a source's text field: entities decoded, stray tags dropped, line breaks kept.

    Titles, agency names and eligibility notes arrive with ``&rsquo;``, ``&#8239;`` and
    double escaping; a few carry ``<br/>`` (escaped once more in the extract).
    """
    text = decode_entities(value)
    if "<" in text:
        text = _TAG.sub("", _BREAK_TAG.sub("\n", text))
        text = decode_entities(text)
    text = text.translate(_ODD_SPACES).replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sanitize_html(value: str | None) -> str:
    """Safe HTML for display: descriptions arrive as HTML or plain text, sometimes escaped twice.

    Escaped markup (``&lt;p&gt;``, ``&amp;lt;p&amp;gt;``) is unescaped into markup and entities
    escaped once too often (``&amp;quot;``) are reduced to one level, before sanitising. Plain
    text keeps its paragraphs (blank lines) and line breaks. The result holds no entity but the
    ``&amp;``, ``&lt;`` and ``&gt;`` that HTML needs.
    """
    text = (value or "").strip()
    for _ in range(MAX_UNESCAPES):
        if "&lt;" in text and "<" not in text:
            text = html.unescape(text)
        elif "&amp;" in text and _ESCAPED_ENTITY.search(text):
            text = _ESCAPED_ENTITY.sub(r"&\1;", text)
        else:
            break
    if not text:
        return ""
    if not re.search(r"<[A-Za-z/!]", text):
        text = clean_text(text)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        return "".join("<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs)
    cleaned = nh3.clean(text, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener nofollow")
    # The serialiser writes U+00A0 as "&nbsp;"; a plain space reads the same and is no entity.
    return cleaned.replace("&nbsp;", " ")


def html_to_text(value: str | None) -> str:
    """Plain text of (already sanitised) HTML, for search and scoring."""
    # A space for every tag, or "</p><p>" would glue the last and first words together.
    text = nh3.clean(re.sub(r"<", " <", value or ""), tags=set())
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def safe_url(value: str | None, fallback: str = "") -> str:
    """An http(s) link or the fallback: never a ``javascript:`` or other scheme in an href."""
    text = (value or "").strip()
    return text if re.match(r"https?://[^\s]+$", text, re.IGNORECASE) else fallback


def split_codes(value: object) -> list[str]:
    """Codes from a list of strings or {id, description} dicts, or a pipe/comma-joined string."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        items = re.split(r"[|,]", value)
    else:
        items = [item.get("id") if isinstance(item, dict) else item for item in cast(Iterable, value)]
    return [str(item).strip() for item in items if item not in (None, "") and str(item).strip()]
