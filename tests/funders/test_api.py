"""/api/funders answers exactly the documented fields."""

from __future__ import annotations

import pytest

from funders.services import funders_import
from tests.funders.test_import import MCNEIL, MILLMAN

pytestmark = pytest.mark.django_db

LIST_FIELDS = {"ein", "name", "city", "state", "tax_year", "total_grants_paid", "grants_count", "accepts_applications"}


def test_signed_in_users_only(client):
    assert client.get("/api/funders").status_code == 401
    assert client.get("/api/funders/046662754").status_code == 401


def test_the_list_has_exactly_the_documented_fields(owner_client):
    funders_import(path=MCNEIL)
    funders_import(path=MILLMAN)
    body = owner_client.get("/api/funders").json()
    assert set(body) == {"items", "count"} and body["count"] == 2
    assert all(set(item) == LIST_FIELDS for item in body["items"])
    assert body["items"][0] == {
        "ein": "141833603",
        "name": "THE MILLMAN-HARRIS-ROMANO FOUNDATION",
        "city": "POUGHKEEPSIE",
        "state": "NY",
        "tax_year": 2013,
        "total_grants_paid": 53374,
        "grants_count": 16,
        "accepts_applications": False,
    }
    assert owner_client.get("/api/funders?state=MA").json()["count"] == 1
    assert owner_client.get("/api/funders?accepts_applications=true").json()["items"][0]["ein"] == "046662754"
    assert owner_client.get("/api/funders?q=millman").json()["count"] == 1
    assert owner_client.get("/api/funders?q=scholarship").json()["items"][0]["ein"] == "046662754"


def test_one_funder_adds_its_grants_and_application(owner_client):
    funders_import(path=MCNEIL)
    funders_import(path=MILLMAN)
    body = owner_client.get("/api/funders/04-6662754").json()
    assert set(body) == LIST_FIELDS | {"grants", "application"}
    assert body["ein"] == "046662754" and body["accepts_applications"] is True
    assert body["grants"][3] == {
        "recipient_name": "ST JOSEPH'S CHURCH",
        "recipient_city": "PITTSFIELD",
        "recipient_state": "MA",
        "amount": 6000,
        "purpose": "OPERATIONAL",
    }
    assert body["application"] == {
        "contact": "School Principal",
        "address": "Pittsfield High School 300 East St, Pittsfield, MA 01201",
        "phone": "4134499535",
        "form_and_materials": "Application submitted to the HS Principal",
        "deadlines": "None",
        "restrictions": "One student to be chosen per year to be selected by the school's principal",
    }
    millman = owner_client.get("/api/funders/141833603").json()
    assert millman["application"] is None and millman["accepts_applications"] is False
    assert len(millman["grants"]) == 16
    assert owner_client.get("/api/funders/999999999").status_code == 404
