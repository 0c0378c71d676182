"""/api/funders: the same selectors as the Funders pages, with exactly the documented fields."""

from __future__ import annotations

from django.core.paginator import Paginator
from ninja import Query, Router, Schema

from funders import selectors
from funders.models import Funder

router = Router(tags=["funders"])
MAX_PAGE_SIZE = 100
MAX_GRANTS = 1000


class FunderFilters(Schema):
    state: str = ""
    q: str = ""
    accepts_applications: bool | None = None
    page: int = 1
    page_size: int = 25


class FunderOut(Schema):
    ein: str
    name: str
    city: str
    state: str
    tax_year: int | None
    total_grants_paid: int | None
    grants_count: int
    accepts_applications: bool


class FunderPageOut(Schema):
    items: list[FunderOut]
    count: int


class FunderGrantOut(Schema):
    recipient_name: str
    recipient_city: str
    recipient_state: str
    amount: int | None
    purpose: str


class ApplicationOut(Schema):
    contact: str
    address: str
    phone: str
    form_and_materials: str
    deadlines: str
    restrictions: str


class FunderDetailOut(FunderOut):
    grants: list[FunderGrantOut]
    application: ApplicationOut | None


def _application(funder: Funder) -> dict | None:
    """The first Part XV line 2 group filed (a return may file several), as documented."""
    if not funder.application:
        return None
    first = funder.application[0]
    return {name: first.get(name, "") for name in ApplicationOut.model_fields}


@router.get("/funders", response=FunderPageOut)
def funder_list(request, filters: Query[FunderFilters]):
    funders = selectors.funders_search(
        q=filters.q, state=filters.state, accepts_applications=filters.accepts_applications
    )
    paginator = Paginator(funders, min(max(filters.page_size, 1), MAX_PAGE_SIZE))
    page = paginator.get_page(filters.page)
    return {"items": list(page.object_list), "count": paginator.count}


@router.get("/funders/{ein}", response=FunderDetailOut)
def funder_detail(request, ein: str):
    funder = selectors.funder_by_ein(ein)
    grants = selectors.funder_grants_filtered(funder)[:MAX_GRANTS]
    return {
        **{name: getattr(funder, name) for name in FunderOut.model_fields},
        "grants": list(grants),
        "application": _application(funder),
    }
