"""Faults against real processes: a connection killed mid-request, a worker killed mid-run.

gunicorn and db_worker run with production settings against this test run's database; the test
holds a lock the process must wait on, so the fault lands at a known point of the work.
"""

from __future__ import annotations

import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accounts.models import UserSettings
from applications import services as application_services
from applications.models import ApplicationGenerationStatus, GenerationState
from core.workers import WORKER_LOST, tasks_fail_stale
from grants.criteria import SearchCriteria
from grants.models import Grant, SavedGrant, SearchRunStatus
from grants.services.search_runs import search_run_start
from tests.factories import BusinessProfileFactory, GrantFactory, OpportunityFactory
from tests.ops.servers import database_url, db_worker, gunicorn, production_env, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

CSRF_TOKEN = "x" * 32


@pytest.fixture
def env():
    return production_env(database_url=database_url(connection.settings_dict), secret_key=django_settings.SECRET_KEY)


@pytest.fixture
def locker():
    """A second session on the test database, to hold locks in a transaction."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=False) as conn:
        yield conn


@pytest.fixture
def observer():
    """A third session, autocommit: pg_stat_activity is read afresh by each statement (a
    transaction would see one snapshot of it), and other sessions are ended from here."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as conn:
        yield conn


def _backend_waiting_on(observer, statement_start: str) -> int | None:
    row = observer.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
        "AND query LIKE %s",
        [statement_start + "%"],
    ).fetchone()
    return row[0] if row else None


def _no_other_sessions(observer, *ours) -> bool:
    """Only this test's own connections are left: the killed processes' sessions have ended."""
    ours = {connection.connection.info.backend_pid, *(conn.info.backend_pid for conn in ours)}
    rows = observer.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").fetchall()
    return {pid for (pid,) in rows} <= ours


def test_a_connection_terminated_mid_request_fails_only_that_request(client, user, env, locker, observer):
    grants = [GrantFactory(user=user, title=f"Grant {n}") for n in range(3)]
    user_settings, _ = UserSettings.objects.get_or_create(user=user)
    client.force_login(user)
    cookies = {
        django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "csrftoken": CSRF_TOKEN,
    }
    form = {"grant_ids": [g.pk for g in grants], "csrfmiddlewaretoken": CSRF_TOKEN}

    with gunicorn(env, workers=1) as base:
        # The test saves the last grant without committing: the request's insert of all three
        # (one multi-row statement in a transaction) waits for it, with the first two written.
        locker.execute(
            "INSERT INTO saved_grants (user_settings_id, grant_id, saved_at) VALUES (%s, %s, now())",
            [user_settings.pk, grants[-1].pk],
        )
        outcome = {}

        def save_all():
            outcome["response"] = requests.post(
                f"{base}/grants/save/", data=form, cookies=cookies, allow_redirects=False, timeout=30
            )

        request = threading.Thread(target=save_all)
        request.start()
        pid = wait_for(
            lambda: _backend_waiting_on(observer, 'INSERT INTO "saved_grants"'),
            timeout=30,
            what="the request to wait on the lock",
        )
        assert observer.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        request.join(timeout=30)
        locker.rollback()

        # The lost connection is the database failing, not a bug: 503 (grantfinder/outage.py).
        assert outcome["response"].status_code == 503
        assert not SavedGrant.objects.filter(user_settings=user_settings).exists()  # nothing half-saved

        # The same (only) worker serves the next request on a new connection.
        again = requests.post(f"{base}/grants/save/", data=form, cookies=cookies, allow_redirects=False, timeout=30)
        assert again.status_code == 302 and again.headers["Location"] == "/grants/"
        assert sorted(SavedGrant.objects.filter(user_settings=user_settings).values_list("grant_id", flat=True)) == [
            g.pk for g in grants
        ]


def test_a_worker_killed_mid_run_leaves_the_run_failed_and_the_allowance_untouched(
    settings, user, env, locker, observer
):
    settings.WORKER_STALE_AFTER_SECONDS = 2
    BusinessProfileFactory(user=user, revenue_range="$250k-$1M")
    OpportunityFactory(title="Rural Broadband Expansion")
    run = search_run_start(user=user, criteria=SearchCriteria(keywords="broadband"))  # enqueued at commit
    user.refresh_from_db()
    assert user.searches_used == 1

    # Reads go on, writes to grants wait: the worker stops exactly where it saves the results.
    locker.execute("LOCK TABLE grants IN EXCLUSIVE MODE")
    worker_env = {**env, "WORKER_HEARTBEAT_SECONDS": "0.2"}
    with db_worker(worker_env, worker_id="doomed-worker") as worker:
        wait_for(
            lambda: _backend_waiting_on(observer, 'INSERT INTO "grants"'),
            timeout=60,
            what="the worker to reach the insert of the run's grants",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    locker.rollback()
    wait_for(
        lambda: _no_other_sessions(observer, locker, observer), timeout=30, what="the killed worker's sessions to end"
    )
    task = DBTaskResult.objects.get()
    assert task.status == "RUNNING" and task.worker_ids == ["doomed-worker"]
    run.refresh_from_db()
    assert run.status == SearchRunStatus.IN_PROGRESS

    # What cron's fail_stale_tasks does once the heartbeat is older than the limit.
    [stale] = wait_for(tasks_fail_stale, timeout=30, what="the worker's heartbeat to go stale")

    assert stale.worker_id == "doomed-worker" and stale.handled
    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == WORKER_LOST
    run.refresh_from_db()
    assert run.status == SearchRunStatus.FAILED
    assert run.error_message == (
        "The search was interrupted because the server running it stopped; your search allowance was given back."
    )
    assert "doomed-worker" in run.error_details["detail"]
    user.refresh_from_db()
    assert user.searches_used == 0
    assert not Grant.objects.filter(user=user).exists()  # the half-done save was rolled back


class _StuckLLM(ThreadingHTTPServer):
    """An LLM endpoint on 127.0.0.1 that takes requests and never answers until released."""

    def __init__(self):
        self.asked = threading.Event()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                server.asked.set()
                server.release.wait(timeout=60)
                self.send_response(503)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.daemon_threads = True
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.shutdown()
        self.server_close()


def test_a_worker_killed_mid_writing_leaves_the_application_failed_and_the_allowance_untouched(
    settings, user, env, observer
):
    settings.WORKER_STALE_AFTER_SECONDS = 2
    BusinessProfileFactory(user=user)
    application = application_services.application_request(user=user, grant=GrantFactory(user=user))
    user.refresh_from_db()
    assert user.applications_used == 1
    llm = _StuckLLM()
    try:
        worker_env = {
            **env,
            "WORKER_HEARTBEAT_SECONDS": "0.2",
            "LLM_BASE_URL": f"http://127.0.0.1:{llm.server_port}/v1",
            "LLM_API_KEY": "test-key",
            "LLM_MODEL": "test-model",
            "LLM_MAX_RETRIES": "0",
        }
        with db_worker(worker_env, worker_id="doomed-writer") as worker:
            # The worker has claimed the application and is waiting on the LLM: mid-writing.
            wait_for(llm.asked.is_set, timeout=60, what="the worker to ask the LLM for a section")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
    finally:
        llm.stop()
    wait_for(lambda: _no_other_sessions(observer, observer), timeout=30, what="the killed worker's sessions to end")
    application.refresh_from_db()
    assert application.generation_state == GenerationState.RUNNING

    [stale] = wait_for(tasks_fail_stale, timeout=30, what="the worker's heartbeat to go stale")

    assert stale.worker_id == "doomed-writer" and stale.handled
    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED
    assert application.generation_error == (
        "Writing was interrupted because the server running it stopped; please try again."
    )
    assert application.status == ApplicationGenerationStatus.DRAFT and not application.allowance_consumed
    assert application.sections == {}
    user.refresh_from_db()
    assert user.applications_used == 0
