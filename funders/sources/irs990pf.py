"""IRS Form 990-PF e-file returns (XML), one file each, as the IRS publishes them in yearly zips.

Two generations of element names: returns for tax years up to 2012 use the older ones
(``ReturnType``, ``TaxYear``, ``SupplementaryInformation/GrantOrContriPaidDuringYear``,
``Amount``, ``BusinessNameLine1``, ``City``...), 2013 onwards the newer ones (``ReturnTypeCd``,
``TaxYr``, ``SupplementaryInformationGrp/GrantOrContributionPdDurYrGrp``, ``Amt``,
``BusinessNameLine1Txt``, ``CityNm``...); 2013 returns mix new group names with old leaf names.
Both are read by local name, namespace or not.

A collection (a folder or a zip of 100,000 returns) is walked one return at a time, and each
return is read with ``iterparse``: the big blocks we do not need (capital gains detail, schedules)
are cleared as they end, so memory stays flat. Values are kept as filed: a ZIP stays text with
its leading zeros, a state is not "corrected", an amount is the filer's integer.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from lxml import etree

RETURN_TYPE = "990PF"
PAID_GROUPS = {"GrantOrContributionPdDurYrGrp", "GrantOrContriPaidDuringYear"}
FUTURE_GROUPS = {"GrantOrContriApprvForFutGrp", "GrantOrContriApprovedForFuture"}
# "Appication" is the IRS's own spelling in the 2009-2012 schemas.
APPLICATION_GROUPS = {"ApplicationSubmissionInfoGrp", "AppicationSubmissionInfo", "ApplicationSubmissionInfo"}
ADDRESS_GROUPS = {"RecipientUSAddress", "RecipientForeignAddress", "USAddress", "ForeignAddress"}
# Blocks of the return that are read as a whole when they end.
BLOCKS = PAID_GROUPS | FUTURE_GROUPS | APPLICATION_GROUPS | {"ReturnHeader"}
SCALARS = {
    "FMVAssetsEOYAmt": "total_assets",
    "FMVAssetsEOY": "total_assets",
    "TotalGrantOrContriPdDurYrAmt": "total_grants_paid",
    "TotGrantOrContriPaidDuringYear": "total_grants_paid",
    "TotalGrantOrContriApprvFutAmt": "total_future_grants",
    "TotGrantOrContriApprovedFuture": "total_future_grants",
    "OnlyContriToPreselectedInd": "preselected_only",
    "OnlyContributesToPreselected": "preselected_only",
    "AmendedReturnInd": "amended",
    "AmendedReturn": "amended",
    "WebsiteAddressTxt": "website",
    "WebSite": "website",
}


class ReturnError(Exception):
    """A file that is not a readable 990-PF return (or a collection that cannot be opened)."""


@dataclass
class Address:
    line1: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    country: str = ""

    @property
    def is_foreign(self) -> bool:
        return bool(self.country)


@dataclass
class GrantLine:
    kind: str
    position: int
    recipient_name: str = ""
    recipient_name_line2: str = ""
    recipient_is_person: bool = False
    address: Address = field(default_factory=Address)
    relationship: str = ""
    foundation_status: str = ""
    purpose: str = ""
    amount: int | None = None


@dataclass
class Application:
    contact: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    form_and_materials: str = ""
    deadlines: str = ""
    restrictions: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class PFReturn:
    object_id: str
    return_type: str = ""
    return_version: str = ""
    ein: str = ""
    name: str = ""
    name_line2: str = ""
    address: Address = field(default_factory=Address)
    phone: str = ""
    tax_year: int | None = None
    tax_period_begin: date | None = None
    tax_period_end: date | None = None
    filed_at: datetime | None = None
    amended: bool = False
    total_assets: int | None = None
    total_grants_paid: int | None = None
    total_future_grants: int | None = None
    preselected_only: bool = False
    website: str = ""
    applications: list[Application] = field(default_factory=list)
    grants: list[GrantLine] = field(default_factory=list)


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag) -> str:
    """``CityNm`` from ``{http://www.irs.gov/efile}CityNm`` (cached: a year repeats ~1,000 tags)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        if not isinstance(tag, str):  # comments and processing instructions
            return ""
        name = tag[tag.index("}") + 1 :] if tag[:1] == "{" else tag
        if len(_LOCAL_NAMES) < 10_000:
            _LOCAL_NAMES[tag] = name
    return name


def _text(element) -> str:
    # Filers pad with spaces and, now and then, no-break spaces; inner runs of space are kept.
    return (element.text or "").strip().replace("\xa0", " ").strip()


def _leaves(element) -> dict[str, str]:
    """Local name -> text of the element's leaves (the first of each name), address parts apart."""
    values: dict[str, str] = {}
    for child in element.iter():
        name = _local(child.tag)
        if name and len(child) == 0 and name not in values:
            values[name] = _text(child)
    return values


def _first(values: dict[str, str], *names: str) -> str:
    for name in names:
        if values.get(name):
            return values[name]
    return ""


def _address(element) -> Address:
    """The US or foreign address under ``element`` (a grant, the filer, an application contact)."""
    for child in element:
        name = _local(child.tag)
        if name not in ADDRESS_GROUPS:
            continue
        parts = _leaves(child)
        foreign = "Foreign" in name
        return Address(
            line1=" ".join(
                p
                for p in (
                    _first(parts, "AddressLine1Txt", "AddressLine1"),
                    _first(parts, "AddressLine2Txt", "AddressLine2"),
                )
                if p
            ),
            city=_first(parts, "CityNm", "City"),
            state=_first(parts, "StateAbbreviationCd", "State", "ProvinceOrStateNm", "ProvinceOrState"),
            zip_code=_first(parts, "ZIPCd", "ZIPCode", "ForeignPostalCd", "PostalCode"),
            country=(_first(parts, "CountryCd", "Country") or "??") if foreign else "",
        )
    return Address()


def _business_name(element) -> tuple[str, str]:
    for child in element:
        if _local(child.tag) in {"RecipientBusinessName", "BusinessName", "Name"}:
            parts = _leaves(child)
            return (
                _first(parts, "BusinessNameLine1Txt", "BusinessNameLine1"),
                _first(parts, "BusinessNameLine2Txt", "BusinessNameLine2"),
            )
    return "", ""


def parse_amount(text: str) -> int | None:
    """The filer's whole-dollar amount as filed (negative and zero kept); ``None`` when unreadable."""
    cleaned = text.replace(",", "").strip()
    if re.fullmatch(r"-?\d+", cleaned):
        return int(cleaned)
    if re.fullmatch(r"-?\d+\.\d*", cleaned):
        return int(float(cleaned))
    return None


def _indicator(text: str) -> bool:
    return text.strip().lower() in {"x", "1", "true", "yes"}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _timestamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _header(parsed: PFReturn, header) -> None:
    values = _leaves(header)
    parsed.return_type = _first(values, "ReturnTypeCd", "ReturnType")
    year = _first(values, "TaxYr", "TaxYear")
    parsed.tax_period_begin = _date(_first(values, "TaxPeriodBeginDt", "TaxPeriodBeginDate"))
    parsed.tax_period_end = _date(_first(values, "TaxPeriodEndDt", "TaxPeriodEndDate"))
    # TaxYr is the year the tax period begins: a fiscal year ending in June 2016 is tax year 2015.
    if year.isdigit():
        parsed.tax_year = int(year)
    elif parsed.tax_period_begin:
        parsed.tax_year = parsed.tax_period_begin.year
    elif parsed.tax_period_end:
        # A twelve-month year ending in December began that year; one ending earlier, the year before.
        end = parsed.tax_period_end
        parsed.tax_year = end.year if end.month == 12 else end.year - 1
    parsed.filed_at = _timestamp(_first(values, "ReturnTs", "Timestamp"))
    for child in header:
        if _local(child.tag) == "Filer":
            filer = _leaves(child)
            parsed.ein = _first(filer, "EIN")
            parsed.name, parsed.name_line2 = _business_name(child)
            parsed.address = _address(child)
            parsed.phone = _first(filer, "PhoneNum", "Phone", "ForeignPhoneNum")


def _grant(element, kind: str, position: int) -> GrantLine:
    values: dict[str, str] = {}
    for child in element:  # the group's own leaves; names and addresses are read apart
        if len(child) == 0:
            values.setdefault(_local(child.tag), _text(child))
    person = _first(values, "RecipientPersonNm", "RecipientPersonName")
    name, line2 = _business_name(element)
    return GrantLine(
        kind=kind,
        position=position,
        recipient_name=person or name,
        recipient_name_line2="" if person else line2,
        recipient_is_person=bool(person),
        address=_address(element),
        relationship=_first(values, "RecipientRelationshipTxt", "RecipientRelationship"),
        foundation_status=_first(values, "RecipientFoundationStatusTxt", "RecipientFoundationStatus"),
        purpose=_first(values, "GrantOrContributionPurposeTxt", "PurposeOfGrantOrContribution"),
        amount=parse_amount(_first(values, "Amt", "Amount", "CashGrantAmt")),
    )


def _application(element) -> Application:
    values: dict[str, str] = {}
    for child in element:
        if len(child) == 0:
            values.setdefault(_local(child.tag), _text(child))
    name, _ = _business_name(element)
    address = _address(element)
    where = ", ".join(
        p for p in (address.line1, address.city, f"{address.state} {address.zip_code}".strip(), address.country) if p
    )
    contact = _first(values, "RecipientPersonNm", "RecipientPersonName", "NameOfPersonToWhomAppSubmitted") or name
    return Application(
        contact=contact,
        address=where,
        phone=_first(values, "RecipientPhoneNum", "ForeignPhoneNum", "TelephoneNumber", "Phone"),
        email=_first(values, "RecipientEmailAddressTxt", "EmailAddressTxt"),
        form_and_materials=_first(values, "FormAndInfoAndMaterialsTxt", "FormAndInfoAndMaterials"),
        deadlines=_first(values, "SubmissionDeadlinesTxt", "SubmissionDeadlines"),
        restrictions=_first(values, "RestrictionsOnAwardsTxt", "RestrictionsOnAwards"),
    )


def _parser_events(stream: IO[bytes]):
    # No DTDs, no entity expansion beyond XML's own five, no network: a return is untrusted input.
    return etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )


def parse_return(stream: IO[bytes], object_id: str) -> PFReturn:
    """One return from an open XML stream; raises ``ReturnError`` for a broken or foreign file.

    A return of another form (990, 990-EZ) comes back with its ``return_type`` and no grants.
    """
    parsed = PFReturn(object_id=object_id)
    depth_in_block = 0
    paid = future = 0
    try:
        for event, element in _parser_events(stream):
            name = _local(element.tag)
            if event == "start":
                if name in BLOCKS:
                    depth_in_block += 1
                elif name == "Return":
                    parsed.return_version = element.get("returnVersion", "")
                elif name == "IRS990PF" and not parsed.return_type:
                    parsed.return_type = RETURN_TYPE  # the form itself says what it is
                continue
            if name in BLOCKS:
                depth_in_block -= 1
                if name == "ReturnHeader":
                    _header(parsed, element)
                    if parsed.return_type and parsed.return_type != RETURN_TYPE:
                        return parsed  # not a 990-PF: nothing more to read
                elif name in PAID_GROUPS:
                    paid += 1
                    parsed.grants.append(_grant(element, "paid", paid))
                elif name in FUTURE_GROUPS:
                    future += 1
                    parsed.grants.append(_grant(element, "future", future))
                else:
                    parsed.applications.append(_application(element))
                element.clear()
            elif depth_in_block == 0 and name in SCALARS:
                attribute = SCALARS[name]
                text = _text(element)
                if attribute in {"preselected_only", "amended"}:
                    setattr(parsed, attribute, _indicator(text))
                elif attribute == "website":
                    parsed.website = text
                else:
                    setattr(parsed, attribute, parse_amount(text))
                element.clear()
            elif depth_in_block == 0 and len(element) and name != "Return":
                # A finished block whose values were taken (or are of no use: balance sheet,
                # capital gains detail, schedules): drop it, so memory stays flat.
                element.clear()
    except etree.XMLSyntaxError as exc:
        raise ReturnError(f"{object_id}: not well-formed XML ({exc})") from exc
    if not parsed.return_type:
        raise ReturnError(f"{object_id}: no return type and no IRS990PF form; not an IRS e-file return")
    return parsed


def object_id_of(name: str) -> str:
    """``201601249349100900`` from ``.../201601249349100900_public.xml``."""
    stem = Path(name).name
    stem = stem[: -len(".xml")] if stem.lower().endswith(".xml") else stem
    return stem.removesuffix("_public")


def read_return(opener, object_id: str) -> PFReturn:
    """Parse one return; ``opener()`` gives a binary stream."""
    with opener() as stream:
        return parse_return(stream, object_id)


@dataclass
class ReturnSource:
    """A return waiting to be read: its object id and how to open it."""

    object_id: str
    opener: object

    def read(self) -> PFReturn:
        return read_return(self.opener, self.object_id)


def iter_sources(path: Path | str) -> Iterator[ReturnSource]:
    """Every ``*.xml`` return in a file, a folder (sorted) or a zip, without reading them yet."""
    path = Path(path)
    if not path.exists():
        raise ReturnError(f"{path}: no such file or folder")
    if path.is_dir():
        for item in sorted(path.rglob("*")):
            if item.is_file() and item.suffix.lower() == ".xml":
                yield ReturnSource(object_id_of(item.name), lambda item=item: item.open("rb"))
        return
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.lower().endswith(".xml") and not info.is_dir():
                    yield ReturnSource(object_id_of(info.filename), lambda info=info: archive.open(info))
        return
    if path.suffix.lower() != ".xml":
        raise ReturnError(f"{path}: expected an .xml return, a folder or a .zip of returns")
    yield ReturnSource(object_id_of(path.name), lambda: path.open("rb"))
