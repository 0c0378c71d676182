"""Input PostgreSQL refuses, or the API does not take, is 4xx in one place (grantfinder/input_hygiene.py):
400 on pages, 422 on the API, nothing written, nothing spent, no traceback logged."""

from __future__ import annotations

import json
import logging

import pytest

from accounts.models import User
from applications.models import GeneratedApplication
from grants.models import SearchRun
from profiles.models import BusinessProfile
from tests.factories import GeneratedApplicationFactory, GrantFactory

pytestmark = pytest.mark.django_db

NUL = "\x00"
LONE_SURROGATE = "\ud800"


def _json(client, method, path, body: str):
    return getattr(client, method)(path, data=body, content_type="application/json")


@pytest.mark.parametrize("bad", [NUL, LONE_SURROGATE])
def test_text_postgresql_refuses_in_api_json_is_422_and_changes_nothing(owner_client, user, bad):
    application = GeneratedApplicationFactory(user=user, sections={"executive_summary": "Summary."})
    cases = [
        ("post", "/api/search-runs", {"keywords": f"broad{bad}band"}, "keywords"),
        ("patch", "/api/users/me", {"full_name": f"Olive{bad}"}, "full_name"),
        ("patch", f"/api/applications/{application.pk}", {"feedback_notes": f"x{bad}"}, "feedback_notes"),
        (
            "patch",
            f"/api/applications/{application.pk}",
            {"sections": {"executive_summary": f"New{bad}"}},
            "sections.executive_summary",
        ),
        (
            "put",
            "/api/business-profile",
            {"business_name": "Bayou", "target_sectors": [f"a{bad}"]},
            "target_sectors[0]",
        ),
    ]
    for method, path, payload, field in cases:
        # json.dumps escapes both as \u0000 and \ud800, as a client would send them.
        response = _json(owner_client, method, path, json.dumps(payload))
        assert response.status_code == 422, (path, response.content)
        assert response.json() == {
            "detail": f"{field}: contains a character that cannot be stored (such as NUL).",
            "code": "invalid_input",
        }
    user.refresh_from_db()
    application.refresh_from_db()
    assert user.full_name == "Olive Owner" and user.searches_used == 0
    assert application.feedback_notes == "" and application.sections == {"executive_summary": "Summary."}
    assert not SearchRun.objects.exists() and not BusinessProfile.objects.exists()


@pytest.mark.parametrize("body", ["[null,null]", "[]", "3", '"text"', "null", "{not json"])
def test_the_api_takes_only_json_objects_as_bodies(owner_client, user, body):
    response = _json(owner_client, "post", "/api/search-runs", body)

    assert response.status_code == 422
    assert response.json() == {"detail": "The body must be a JSON object.", "code": "invalid_input"}
    user.refresh_from_db()
    assert user.searches_used == 0 and not SearchRun.objects.exists()


def test_an_array_body_spends_no_generation(owner_client, user):
    grant = GrantFactory(user=user)
    response = _json(owner_client, "post", "/api/applications/generate", f"[{grant.pk}]")
    assert response.status_code == 422
    assert not GeneratedApplication.objects.exists()


def test_nul_in_a_query_string_is_422_on_the_api_and_400_on_pages(owner_client):
    assert owner_client.get("/api/grants", {"q": f"a{NUL}b"}).status_code == 422
    page = owner_client.get("/grants/", {"q": f"a{NUL}b"})
    assert page.status_code == 400
    assert "q: contains a character that cannot be stored" in page.content.decode()


def test_nul_in_a_form_post_is_400_and_changes_nothing(owner_client, user):
    account = owner_client.post("/accounts/delete/", {"confirm_email": f"owner@example.com{NUL}"})
    search = owner_client.post("/search/", {"keywords": f"broad{NUL}band"})

    assert (account.status_code, search.status_code) == (400, 400)
    assert "Nothing was saved" in search.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.searches_used == 0 and not SearchRun.objects.exists()
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "multipart/form-data; boundary=", 'multipart/form-data; boundary="\x7f"']
)
def test_a_multipart_body_without_a_boundary_is_4xx_without_a_traceback(owner_client, caplog, content_type):
    body = b'--x\r\nContent-Disposition: form-data; name="keywords"\r\n\r\nbroadband\r\n--x--\r\n'
    with caplog.at_level(logging.INFO):
        api = owner_client.generic("POST", "/api/search-runs", body, content_type=content_type)
        page = owner_client.generic("POST", "/search/", body, content_type=content_type)

    assert api.status_code == 422 and api.json()["detail"].startswith("The form could not be read")
    assert page.status_code == 400
    assert not [record for record in caplog.records if record.exc_info]
    assert not SearchRun.objects.exists()
