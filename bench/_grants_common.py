"""Helpers shared by the grants benchmarks: scratch databases on the project's PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


_SERVER: dict = {}


def server() -> dict:
    """The worktree's embedded PostgreSQL (started if needed): its socket directory and port."""
    if not _SERVER:
        from grantfinder.embedded_db import embedded_database_settings

        _SERVER.update(embedded_database_settings(ROOT))
    return _SERVER


def admin_connection() -> psycopg.Connection:
    info = server()
    return psycopg.connect(host=info["HOST"], port=info["PORT"], user="postgres", dbname="postgres", autocommit=True)


def database_url(name: str) -> str:
    info = server()
    return f"postgres://postgres@/{name}?host={info['HOST']}&port={info['PORT']}"


def create_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


TEMPLATE = "bench_grants_template"


def create_migrated_database(name: str) -> None:
    """A migrated scratch database, copied from a kept template (``bench_grants_template``).

    A full migrate costs minutes (dj-stripe alone has dozens of migrations), so it runs once into
    the template; each copy is then migrated again, which applies only what is new since.
    """
    with admin_connection() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE]).fetchone()
    if not exists:
        log(f"creating and migrating the template {TEMPLATE} (once)")
        create_database(TEMPLATE)
        manage(TEMPLATE, "migrate", "--no-input")
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    log(f"migrating {name}")
    manage(name, "migrate", "--no-input")


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def project_env(name: str, *, debug: bool = False) -> dict:
    """Environment for manage.py/gunicorn against the scratch database, production-like by default."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(name),
        DJANGO_DEBUG="true" if debug else "false",
        DJANGO_SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdef",
        # A fixed key (production settings refuse the development one), so kept databases stay readable.
        ENCRYPTION_KEYS="YmVuY2gta2V5LW5vdC1mb3ItcHJvZHVjdGlvbi0wMDA=",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(name: str, *args: str, debug: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=project_env(name, debug=debug), check=True, capture_output=True,
        text=True,
    )  # fmt: skip


def measure(cmd: list[str], *, env: dict) -> tuple[float, float, str, str]:
    """(wall seconds, peak RSS MiB, stdout, stderr) of a child process, using os.wait4's rusage."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks = {"out": b"", "err": b""}

    def drain(stream, key):
        chunks[key] = stream.read()

    # Read the pipes in threads so a chatty child cannot block on a full pipe.
    threads = [
        threading.Thread(target=drain, args=(process.stdout, "out")),
        threading.Thread(target=drain, args=(process.stderr, "err")),
    ]
    for thread in threads:
        thread.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    for thread in threads:
        thread.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    out, err = chunks["out"].decode(), chunks["err"].decode()
    if process.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({process.returncode}): {err[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, out, err
