"""The request log: one JSON line per request with what operators need and nothing personal."""

from __future__ import annotations

import json
import logging

import pytest

from grantfinder.request_log import JsonFormatter
from tests.factories import GrantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="grantfinder.requests")
    logging.getLogger("grantfinder.requests").addHandler(caplog.handler)
    yield lambda: [
        json.loads(JsonFormatter().format(record)) for record in caplog.records if record.name == "grantfinder.requests"
    ]
    logging.getLogger("grantfinder.requests").removeHandler(caplog.handler)


def test_it_logs_the_route_status_and_timing_but_nothing_personal(client, user, request_lines):
    user.email = "ada.lovelace@example.org"
    user.save()
    grant = GrantFactory(user=user, title="Secret Rural Broadband Plan")
    client.force_login(user)

    response = client.get(
        f"/grants/{grant.pk}/?q=ada.lovelace@example.org",
        headers={"X-Request-ID": "proxy-id-12345", "User-Agent": "AgentSmith/1.0"},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 200 and response["X-Request-ID"] == "proxy-id-12345"
    [line] = request_lines()
    assert set(line) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "route",
        "view",
        "status",
        "duration_ms",
        "authenticated",
        "pid",
    }
    assert (line["request_id"], line["method"], line["route"], line["view"]) == (
        "proxy-id-12345",
        "GET",
        "grants/<int:pk>/",
        "grants:detail",
    )
    assert line["status"] == 200 and line["authenticated"] is True and line["duration_ms"] >= 0
    text = json.dumps(line)
    for personal in (
        "ada.lovelace",
        "example.org",
        "203.0.113.7",
        "AgentSmith",
        "Secret",
        client.cookies["sessionid"].value,
    ):
        assert personal not in text


def test_it_never_logs_a_token_in_the_path_and_replaces_odd_request_ids(client, request_lines):
    token = "6f1c2a9e-1111-4222-8333-944455556666"

    response = client.get(f"/alerts/unsubscribe/{token}/", headers={"X-Request-ID": "bad id\nwith newline"})

    [line] = request_lines()
    assert line["route"] == "alerts/unsubscribe/<uuid:token>/" and token not in json.dumps(line)
    assert line["request_id"] != "bad id\nwith newline" and len(line["request_id"]) == 32
    assert response["X-Request-ID"] == line["request_id"]


def test_it_does_not_load_the_user_when_the_view_did_not(client, user, request_lines):
    """/health never asks who is calling; the log must not either (a query, and a crash when the
    database is down)."""
    client.force_login(user)

    client.get("/health")

    assert request_lines()[0]["authenticated"] is None


def test_an_unmatched_path_is_logged_without_it(client, request_lines):
    client.get("/no/such/page/ada@example.org")

    [line] = request_lines()
    assert (line["route"], line["view"], line["status"]) == (None, None, 404)
    assert "ada@example.org" not in json.dumps(line)
