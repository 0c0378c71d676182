"""/health: database, pending migrations and worker liveness; 503 with the reason when one is wrong.

The checks run on a thread of their own (with their own connection), so the rows they read are
committed ones: these tests use transactional databases.
"""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from core.models import WorkerHeartbeat
from core.workers import worker_heartbeat_record


def _beat(worker_id: str, seconds_ago: float) -> None:
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    worker_heartbeat_record(worker_id=worker_id, started_at=seen, now=seen)


@pytest.mark.django_db(transaction=True)
def test_it_is_healthy_with_a_live_worker(client):
    _beat("worker-a", seconds_ago=3)

    response = client.get("/health")

    assert response.status_code == 200
    report = response.json()
    assert report.pop("catalog")["status"] == "stale"  # no Grants.gov sync yet: said, and still 200
    assert report == {"database": "ok", "migrations": "ok", "workers": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db(transaction=True)
def test_it_answers_503_when_every_worker_stopped_beating(client, settings):
    settings.WORKER_STALE_AFTER_SECONDS = 60
    _beat("worker-a", seconds_ago=61)
    newest = WorkerHeartbeat.objects.get().last_seen_at

    response = client.get("/health")

    assert response.status_code == 503
    assert {name: value for name, value in response.json().items() if name != "catalog"} == {
        "database": "ok",
        "migrations": "ok",
        "workers": f"no worker heartbeat in the last 60 s (newest: {newest.isoformat(timespec='seconds')})",
    }


@pytest.mark.django_db(transaction=True)
def test_it_answers_503_when_no_worker_ever_beat(client):
    response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["workers"].endswith("(newest: never)")


@pytest.mark.django_db(transaction=True)
def test_it_answers_503_promptly_when_the_database_does_not_answer(client, settings):
    """Another session holds the heartbeat table locked: the health query waits, then gives up."""
    settings.HEALTH_STATEMENT_TIMEOUT_MS = 1000  # the query is cancelled after 750 ms
    _beat("worker-a", seconds_ago=1)
    with psycopg.connect(**connection.get_connection_params(), autocommit=False) as locker:
        locker.execute("LOCK TABLE worker_heartbeats IN ACCESS EXCLUSIVE MODE")

        response = client.get("/health")

        locker.rollback()
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "migrations": "ok", "workers": "error: OperationalError"}
    # The timeout was the transaction's own: the next request is healthy again.
    assert client.get("/health").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_reports_the_age_of_the_last_successful_catalog_sync(client, settings):
    from grants.models import CatalogSync, SearchRunStatus

    settings.CATALOG_STALE_AFTER_HOURS = 36
    _beat("worker-a", seconds_ago=3)
    now = timezone.now()
    CatalogSync.objects.create(
        source="grantsgov-api", status=SearchRunStatus.SUCCESS, finished_at=now - timedelta(hours=30)
    )
    CatalogSync.objects.create(source="grantsgov-api", status=SearchRunStatus.FAILED, finished_at=now)
    CatalogSync.objects.create(source="demo", status=SearchRunStatus.SUCCESS, finished_at=now)  # not Grants.gov

    fresh = client.get("/health")
    assert fresh.status_code == 200
    catalog = fresh.json()["catalog"]
    assert catalog["status"] == "ok" and catalog["age_hours"] == 30.0 and catalog["stale_after_hours"] == 36
    assert catalog["source"] == "grantsgov-api"

    settings.CATALOG_STALE_AFTER_HOURS = 24
    stale = client.get("/health")
    # Reported, but no reason to take this web process out of the load balancer.
    assert stale.status_code == 200 and stale.json()["catalog"]["status"] == "stale"
