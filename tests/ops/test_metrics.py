"""/metrics: the series operators alert on, to allowed callers only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.throttling import request_throttled
from core.workers import worker_heartbeat_record
from grants.models import CatalogSync, SearchRunStatus
from tests.ops.tasks import tally

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def _metrics_settings(settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16", "192.0.2.7"]
    settings.METRICS_TOKEN = TOKEN
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _series(text: str, name: str, **labels) -> float:
    """The value of one series in the exposition text (exact labels given must all match)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no series {name} {labels} in:\n{text}")


def _scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_an_allowed_caller_gets_every_series(client, owner_client):
    # Traffic, a throttled request, a waiting task, a live worker and a catalog synced an hour ago.
    assert owner_client.get("/grants/").status_code == 200
    request_throttled.send(sender="generation", user=None)
    tally.enqueue("waiting")
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=90))
    worker_heartbeat_record(worker_id="w1", started_at=timezone.now())
    CatalogSync.objects.create(
        source="grantsgov", status=SearchRunStatus.SUCCESS, finished_at=timezone.now() - timedelta(hours=1)
    )

    text = _scrape(client, REMOTE_ADDR="10.20.3.4")

    assert _series(text, "grantfinder_http_request_duration_seconds_count", route="grants/", method="GET") >= 1
    assert _series(text, "grantfinder_http_requests_total", route="grants/", method="GET", status="200") >= 1
    assert _series(text, "grantfinder_db_queries_total", route="grants/") >= 1
    assert _series(text, "grantfinder_db_query_seconds_total", route="grants/") > 0
    assert _series(text, "grantfinder_throttled_requests_total", scope="generation") >= 1
    assert _series(text, "grantfinder_task_queue_depth", queue="default") == 1
    assert 90 <= _series(text, "grantfinder_task_queue_oldest_age_seconds", queue="default") < 120
    assert _series(text, "grantfinder_workers_alive") == 1
    assert 0 <= _series(text, "grantfinder_worker_heartbeat_age_seconds") < 30
    assert 3600 <= _series(text, "grantfinder_catalog_age_seconds", source="grantsgov") < 3700


def test_paths_without_a_route_share_one_label(client):
    # Letters, not digits: digits turn up in the figures themselves (a duration 0.0373123459...).
    client.get("/no-such-page/zqxunrouted")
    text = _scrape(client, REMOTE_ADDR="192.0.2.7")
    assert _series(text, "grantfinder_http_requests_total", route="<unmatched>", status="404") >= 1
    assert "zqxunrouted" not in text


def test_the_bearer_token_opens_it_from_anywhere(client):
    _scrape(client, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "10.21.0.1"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": "Bearer wrong-token"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": TOKEN},
        # An allowed address that is a proxy forwarding someone else's request.
        {"REMOTE_ADDR": "10.20.3.4", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
    ],
)
def test_everyone_else_gets_a_404_without_any_series(client, extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 404
    assert not re.search(rb"grantfinder_\w+", response.content)


def test_signed_in_users_and_staff_are_no_exception(staff_client):
    assert staff_client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_without_a_token_setting_no_bearer_opens_it(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ").status_code == 404
