"""Real processes for the fault tests: gunicorn and db_worker with production settings, on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def wait_for[T](condition: Callable[[], T], *, timeout: float, what: str, every: float = 0.1) -> T:
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict, name: str | None = None) -> str:
    """A DATABASE_URL for a Unix-socket PostgreSQL, as the embedded servers use."""
    return (
        f"postgres://{settings_dict['USER']}@/{name or settings_dict['NAME']}"
        f"?host={settings_dict['HOST']}&port={settings_dict['PORT']}"
    )


def production_env(*, database_url: str, secret_key: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) over plain HTTP on loopback, as ``make serve`` runs them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST", "GF_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="grantfinder.settings",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        # Connections are kept between requests, as in production: the faults must meet them.
        DATABASE_CONN_MAX_AGE="600",
        REQUEST_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 1, log: Path | None = None) -> Iterator[str]:
    """gunicorn with the project's configuration; yields its base URL once it answers.

    ``log``: a file for its output (gunicorn's and the JSON request log's), else the test's stderr.
    Static files are collected first (once per test run): production settings need their manifest
    for every page, error pages included, and a fresh clone has none.
    """
    if not _static_collected:
        collectstatic(env)
    port = free_port()
    output = open(log, "w") if log else None  # noqa: SIM115 (closed below, after the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "grantfinder/gunicorn.conf.py", "--workers", str(workers)],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stderr=output,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, "gunicorn exited"
        try:
            # The first request loads the whole project in the worker: give it time.
            requests.get(f"{base}/health", timeout=30)
        except requests.ConnectionError:
            return False
        return True

    try:
        wait_for(answers, timeout=60, what="gunicorn to answer")
        yield base
    finally:
        _stop(process)
        if output:
            output.close()


@contextmanager
def db_worker(env: dict[str, str], *, worker_id: str) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2", "--worker-id", worker_id],
        cwd=ROOT,
        env=env,
    )
    try:
        yield process
    finally:
        _stop(process)


_static_collected = False


def collectstatic(env: dict[str, str]) -> None:
    """What ``make serve`` does before gunicorn: pages under production settings need the hashed
    files' manifest (staticfiles/, ignored by git), error pages included."""
    global _static_collected
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    _static_collected = True
