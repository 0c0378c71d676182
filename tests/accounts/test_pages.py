from __future__ import annotations

import pytest
from django.utils import timezone

from core.workers import worker_heartbeat_record

pytestmark = pytest.mark.django_db


def test_it_serves_the_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Find the grants that fit your organisation" in response.content


@pytest.mark.django_db(transaction=True)  # /health reads on a thread of its own: committed rows
def test_it_reports_health(client):
    # A worker is alive (tests/ops/test_health.py covers the unhealthy cases).
    worker_heartbeat_record(worker_id="worker-1", started_at=timezone.now())
    response = client.get("/health")
    assert response.status_code == 200
    report = response.json()
    assert set(report.pop("catalog")) >= {"status", "last_success", "age_hours", "stale_after_hours"}
    assert report == {"database": "ok", "migrations": "ok", "workers": "ok"}


def test_it_serves_the_admin_to_staff_only(client, staff_client, user):
    assert staff_client.get("/admin/accounts/user/").status_code == 200
    client.force_login(user)
    assert client.get("/admin/accounts/user/").status_code == 302
