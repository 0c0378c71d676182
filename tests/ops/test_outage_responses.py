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
