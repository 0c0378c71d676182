"""A database that stops answering (no refusal, no reset) over TCP or a Unix socket: /health
answers 503 within 2.5 s, pages a friendly 503 and the API a JSON 503 well before gunicorn's
30 s timeout, and all recover by themselves once the path answers again.

The silent path is tests/ops/proxy.py in front of this run's test database; gunicorn runs with
production settings. (A frozen server, SIGSTOP, is in test_production_stack.py.)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accounts.workers import worker_heartbeat_record
from tests.ops.proxy import stalling_proxy
from tests.ops.servers import collectstatic, gunicorn, production_env, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["tcp", "unix-socket"])
def silent_path(request):
    """(proxy, DATABASE_URL) for this run's database, through a proxy that can go silent."""
    database = connection.settings_dict
    target = f"{database['HOST']}/.s.PGSQL.{database['PORT']}"
    if request.param == "tcp":
        with stalling_proxy(target=target) as proxy:
            yield proxy, f"postgres://{database['USER']}@127.0.0.1:{proxy.port}/{database['NAME']}"
    else:
        # A short path: Unix socket paths are limited to ~100 characters.
        socket_dir = Path(tempfile.mkdtemp(prefix="gf-pg-", dir="/tmp"))
        socket_dir.chmod(0o777)
        try:
            with stalling_proxy(target=target, unix_path=socket_dir / f".s.PGSQL.{database['PORT']}") as proxy:
                yield (
                    proxy,
                    f"postgres://{database['USER']}@/{database['NAME']}?host={socket_dir}&port={database['PORT']}",
                )
        finally:
            shutil.rmtree(socket_dir, ignore_errors=True)


def test_a_silent_database_gives_prompt_503s_and_service_comes_back_by_itself(silent_path, client, user):
    proxy, url = silent_path
    worker_heartbeat_record(worker_id="busy-worker", started_at=timezone.now())
    client.force_login(user)
    cookies = {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value}
    env = production_env(database_url=url, secret_key=django_settings.SECRET_KEY)
    collectstatic(env)

    def page(path: str, timeout: float) -> requests.Response:
        return requests.get(f"{base}{path}", cookies=cookies, timeout=timeout, allow_redirects=False)

    with gunicorn(env, workers=1) as base:
        assert page("/health", 5).json()["database"] == "ok"
        assert page("/grants/", 30).status_code == 200  # the worker now holds a pooled connection

        proxy.stall()

        # The client gives up after 2.5 s: an answer at all is the "within 2.5 s".
        health = page("/health", 2.5)
        assert health.status_code == 503
        assert health.json()["database"] == "error: no answer within 2 s"
        # Well inside gunicorn's 30 s: the request deadline (5 s) or the connect timeout (5 s).
        grants = page("/grants/", 15)
        assert grants.status_code == 503 and grants.headers["Retry-After"] == "5"
        assert "cannot reach its database" in grants.text
        api = page("/api/users/me", 15)
        assert api.status_code == 503 and api.headers["Content-Type"] == "application/json"
        assert api.json() == {
            "detail": "The service is briefly unavailable; please try again shortly.",
            "code": "service_unavailable",
        }

        proxy.resume()

        # Nothing is restarted: the same gunicorn worker reconnects.
        wait_for(lambda: page("/grants/", 15).status_code == 200, timeout=60, what="pages to recover")
        wait_for(lambda: page("/health", 5).json()["database"] == "ok", timeout=60, what="/health to recover")
