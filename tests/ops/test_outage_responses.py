"""What an error answers (grantfinder/outage.py): 503 for a failed database, 500 for a bug; JSON
under /api/, a page elsewhere; neither touches the database."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from grantfinder.outage import DatabaseDeadlineExceeded, server_error


def _answer(rf, path, exc):
    try:
        raise exc
    except Exception:
        return server_error(rf.get(path))


@pytest.mark.parametrize("exc", [OperationalError("connection refused"), DatabaseDeadlineExceeded("no answer")])
def test_a_failed_database_is_503_json_on_the_api_and_a_page_elsewhere(rf, exc):
    # No django_db mark: any query here would fail the test.
    api = _answer(rf, "/api/grants", exc)
    page = _answer(rf, "/grants/", exc)

    assert api.status_code == 503 and api["Content-Type"] == "application/json" and api["Retry-After"] == "5"
    assert page.status_code == 503 and b"cannot reach its database" in page.content
    assert page["Content-Type"].startswith("text/html")


def test_a_bug_is_500_json_on_the_api(rf):
    api = _answer(rf, "/api/grants", ValueError("a bug"))
    page = _answer(rf, "/grants/", ValueError("a bug"))

    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert api.content == b'{"detail": "Internal server error.", "code": "server_error"}'
    assert page.status_code == 500 and b"Something went wrong" in page.content and not page.has_header("Retry-After")


@pytest.mark.django_db
def test_an_unknown_api_path_and_an_unreadable_body_are_json(owner_client, settings):
    missing = owner_client.get("/api/no-such-thing")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found", "code": "not_found"}

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    too_big = owner_client.post("/api/search-runs", data={"keywords": "x" * 200}, content_type="application/json")
    assert too_big.status_code == 400 and too_big.json()["code"] == "bad_request"

    page = owner_client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
