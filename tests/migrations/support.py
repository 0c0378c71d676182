"""Scratch databases for migration tests: real PostgreSQL, real ``manage.py`` runs.

Each test database is created on the same server as the test suite's own database, loaded
with the exact legacy database (``legacy/sql/legacy_database.sql``: the schema the migrations
read, then the revision stamp) and ``legacy_fill.sql`` rows, and dropped afterwards. Commands
run in a subprocess, exactly as a deploy runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings

from legacy.database import LEGACY_SQL_DIR

ROOT = Path(settings.BASE_DIR)
LEGACY_DATABASE = LEGACY_SQL_DIR / "legacy_database.sql"
LEGACY_FILL = LEGACY_SQL_DIR / "legacy_fill.sql"
LEGACY_TABLES = ["grants", "analyses", "search_runs", "application_history", "user_settings", "saved_grants"]


def _server() -> dict:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    port = str(db.get("PORT") or db.get("OPTIONS", {}).get("port") or "")
    return {"host": host, "port": port, "user": db.get("USER") or "", "password": db.get("PASSWORD") or ""}


def connect(dbname: str, **kwargs) -> psycopg.Connection:
    server = _server()
    params = {k: v for k, v in server.items() if v}
    # UTC, as Django sessions are: timestamps then read the same before and after conversion.
    return psycopg.connect(dbname=dbname, autocommit=True, options="-c TimeZone=UTC", **params, **kwargs)


def database_url(dbname: str) -> str:
    server = _server()
    auth = quote(server["user"]) + (f":{quote(server['password'])}" if server["password"] else "")
    if server["host"].startswith("/"):
        query = f"?host={quote(server['host'])}" + (f"&port={server['port']}" if server["port"] else "")
        return f"postgres://{auth}@/{dbname}{query}"
    return f"postgres://{auth}@{server['host']}:{server['port'] or 5432}/{dbname}"


def client_binary(name: str) -> str:
    """psql/pg_dump matching the server: the embedded server's own, else the one on PATH."""
    if not os.environ.get("DATABASE_URL"):
        from grantfinder.embedded_db import embedded_bin_dir

        return str(embedded_bin_dir() / name)
    found = shutil.which(name)
    assert found, f"{name} is needed for migration tests"
    return found


def _client_env() -> dict:
    server = _server()
    env = dict(os.environ)
    env.update({"PGHOST": server["host"], "PGUSER": server["user"]})
    if server["port"]:
        env["PGPORT"] = server["port"]
    if server["password"]:
        env["PGPASSWORD"] = server["password"]
    return env


def psql_file(dbname: str, path: Path, **variables) -> None:
    args = [client_binary("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbname, "-f", str(path)]
    for key, value in variables.items():
        args[1:1] = ["-v", f"{key}={value}"]
    subprocess.run(args, env=_client_env(), check=True, capture_output=True)


def pg_dump(dbname: str, *args: str) -> str:
    result = subprocess.run(
        [client_binary("pg_dump"), "--no-owner", "--no-privileges", *args, dbname],
        env=_client_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    # Drop lines that differ between any two dumps (restrict keys, version banners).
    return "\n".join(
        line for line in result.stdout.splitlines() if not line.startswith(("\\restrict", "\\unrestrict", "-- Dumped"))
    )


def legacy_dump(dbname: str) -> tuple[str, list[str]]:
    """The legacy tables and the revision stamp as pg_dump writes them: (schema, sorted data lines)."""
    tables = [arg for table in [*LEGACY_TABLES, "alembic_version"] for arg in ("-t", table)]
    schema = pg_dump(dbname, "--schema-only", *tables)
    # Row order inside COPY blocks is physical order, which updates change: compare sorted.
    data = sorted(pg_dump(dbname, "--data-only", *tables).splitlines())
    return schema, data


def create_database(prefix: str, template: str | None = None) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with connect("postgres") as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def drop_database(name: str) -> None:
    with connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(prefix: str = "gf_mig", template: str | None = None):
    name = create_database(prefix, template)
    try:
        yield name
    finally:
        drop_database(name)


def load_legacy(dbname: str, *, grants: int = 0, runs: int = 0, history: int = 0) -> None:
    psql_file(dbname, LEGACY_DATABASE)
    if grants or runs or history:
        psql_file(dbname, LEGACY_FILL, grants=grants, runs=runs, history=history)


def manage(dbname: str, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs ``python manage.py ...`` against ``dbname`` as a deploy would."""
    full_env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "LEGACY_OWNER_EMAIL"}}
    full_env.update(
        {
            "DATABASE_URL": database_url(dbname),
            "DJANGO_SETTINGS_MODULE": "grantfinder.settings",
            "DJANGO_DEBUG": "true",
            "PYTHONWARNINGS": "ignore",
            **(env or {}),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def query(dbname: str, sql: str, params=None) -> list[tuple]:
    with connect(dbname) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(dbname: str, sql: str, params=None):
    return query(dbname, sql, params)[0][0]


PROJECT_APPS = ("accounts", "billing", "profiles", "grants", "applications")


def migrate_project_apps(dbname: str, env: dict | None = None) -> str:
    """Applies every migration of our own apps (and only what they depend on); returns the output."""
    return "".join(manage(dbname, "migrate", app, env=env).stdout for app in PROJECT_APPS)
