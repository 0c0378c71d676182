"""Load benchmark: the production stack on 127.0.0.1 against a 1,000,000-grant database.

Issue 8. On a scratch database (``bench_load_<pid>``, dropped at the end unless ``--keep``) it

1. builds the discovery benchmark's legacy database (``legacy/sql/legacy_database.sql``
   plus ``legacy_fill.sql`` with ``--grants`` grants, default 1,000,000), runs ``manage.py migrate`` on it
   (the legacy conversion), creates ``--users`` users (default 100) and spreads the grants over
   them with one UPDATE; every grant's title starts with its owner's marker ``[u<id>]``, so a
   response carrying another user's row is caught; gives each user two generated applications;
2. starts gunicorn (``grantfinder/gunicorn.conf.py``, production settings, static files collected)
   and one ``db_worker``, and waits for /health to be 200;
3. for each ``--clients`` level (default 8 and 64) runs that many client threads for
   ``--duration`` seconds (default 60), each signed in as its own user (client i is user i mod
   ``--users``) and sending a mix of reads and writes: the grants list (random page), the dashboard, a grant's
   detail, another user's grant (must be 404), save, unsave, an application page and an edit of
   one of its sections;
4. prints, per level, requests per second and p50/p95/p99 latency overall and per kind, the count of
   5xx responses, of unexpected statuses and of responses carrying another user's rows.

The client runs on the same machine as the server (and the database), so the figures are what
this machine does with everything on it; they are never asserted.

Usage (from the project root)::

    .venv/bin/python bench/load.py                         # 1M grants, 8 and 64 clients, 60 s each
    .venv/bin/python bench/load.py --grants 20000 --duration 10 --clients 4
    .venv/bin/python bench/load.py --keep                  # keep bench_load_<pid> for a rerun
    .venv/bin/python bench/load.py --reuse bench_load_123  # skip building (a kept database)
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
LEGACY = ROOT / "legacy" / "sql"  # the legacy SQL the migrations and tests read
CSRF_TOKEN = "b" * 32
MARKER = re.compile(r"\[u(\d+)\]")
# What each client sends, by weight: mostly reads, about a third writes.
MIX = {
    "grants list": 30,
    "dashboard": 12,
    "grant detail": 22,
    "other user's grant": 6,
    "save grant": 10,
    "unsave grant": 10,
    "application page": 8,
    "application edit": 14,
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {message}", file=sys.stderr, flush=True)


# The database -----------------------------------------------------------------------------------


def server_settings() -> dict:
    """The shared embedded PostgreSQL (started if needed), or the server of DATABASE_URL."""
    if os.environ.get("DATABASE_URL"):
        import environ

        return environ.Env.db_url_config(os.environ["DATABASE_URL"])
    from grantfinder.embedded_db import embedded_database_settings

    return embedded_database_settings(ROOT)


def database_url(server: dict, name: str) -> str:
    host = server["HOST"]
    if host.startswith("/"):
        return f"postgres://{server['USER']}@/{name}?host={host}&port={server['PORT']}"
    password = f":{server['PASSWORD']}" if server.get("PASSWORD") else ""
    return f"postgres://{server['USER']}{password}@{host}:{server['PORT']}/{name}"


def admin_connection(server: dict):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=server["USER"],
        password=server.get("PASSWORD") or None,
        host=server["HOST"],
        port=server["PORT"],
        autocommit=True,
    )


def psql(server: dict, name: str, *args: str) -> None:
    from grantfinder.embedded_db import embedded_bin_dir

    binary = embedded_bin_dir() / "psql"
    command = [str(binary if binary.exists() else "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", server["HOST"]]
    command += ["-p", str(server["PORT"]), "-U", server["USER"], "-d", name, *args]
    subprocess.run(command, check=True, env={**os.environ, "PGPASSWORD": server.get("PASSWORD") or ""})


def build_database(server: dict, name: str, *, grants: int, env: dict) -> None:
    with admin_connection(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"{name}: legacy schema and {grants:,} grants (legacy_fill.sql)")
    psql(server, name, "-f", str(LEGACY / "legacy_database.sql"))
    fill = ("-v", f"grants={grants}", "-v", "runs=2000", "-v", "history=5000")
    psql(server, name, *fill, "-f", str(LEGACY / "legacy_fill.sql"))
    log(f"{name}: manage.py migrate (the legacy conversion)")
    migrate(env)


def migrate(env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "--verbosity", "0"], cwd=ROOT, env=env, check=True)


# Users, their grants and applications, their sessions (in-process, on the scratch database) -----


@dataclass
class Persona:
    user_id: int
    session_key: str
    grant_ids: list[int]
    application_ids: list[int]
    section_keys: list[str]


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def spread_grants(*, users: int) -> None:
    from django.db import connection

    from accounts.models import User

    existing = list(User.objects.filter(email__endswith="@load.bench").order_by("pk").values_list("pk", flat=True))
    if len(existing) < users:
        for n in range(len(existing), users):
            User.objects.create_user(email=f"user{n}@load.bench", password=None)
        existing = list(User.objects.filter(email__endswith="@load.bench").order_by("pk").values_list("pk", flat=True))
    user_ids = existing[:users]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT user_id), bool_and(title LIKE '[u%%') FROM grants")
        owners, all_marked = cursor.fetchone()
    if owners == len(user_ids) and all_marked:
        log("grants already spread over the users (a kept database)")
        return
    log(f"spreading the grants over {len(user_ids)} users (one UPDATE), owner marker in every title")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE grants SET user_id = (%s::bigint[])[1 + id %% %s], "
            "title = '[u' || (%s::bigint[])[1 + id %% %s] || '] ' || regexp_replace(title, '^\\[u[0-9]+\\] ', '')",
            [user_ids, len(user_ids), user_ids, len(user_ids)],
        )
    log("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE grants")
        cursor.execute("VACUUM ANALYZE saved_grants")


def personas(*, users: int) -> list[Persona]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import User
    from applications.models import ApplicationGenerationStatus, GeneratedApplication, GenerationState
    from applications.writer import SECTION_KEYS
    from grants.models import Grant

    result = []
    for user in User.objects.filter(email__endswith="@load.bench").order_by("pk")[:users]:
        grant_ids = list(Grant.objects.filter(user=user).order_by("?").values_list("pk", flat=True)[:300])
        applications = list(GeneratedApplication.objects.filter(user=user).values_list("pk", flat=True))
        if not applications:
            created = GeneratedApplication.objects.bulk_create(
                GeneratedApplication(
                    user=user,
                    grant_id=grant_id,
                    status=ApplicationGenerationStatus.GENERATED,
                    generation_state=GenerationState.SUCCEEDED,
                    generation_date=timezone.now(),
                    sections={key: f"Draft {key} for [u{user.pk}]." for key in SECTION_KEYS},
                )
                for grant_id in grant_ids[:2]
            )
            applications = [application.pk for application in created]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        result.append(Persona(user.pk, session.session_key, grant_ids, applications, list(SECTION_KEYS)))
    return result


# The server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    status, body = None, b""
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/health")
            response = conn.getresponse()
            status, body = response.status, response.read()
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"/health was not 200 within {timeout} s (last: {status} {body.decode(errors='replace')})")


# The clients ------------------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    server_errors: int = 0
    unexpected: Counter = field(default_factory=Counter)
    leaks: int = 0
    checked_bodies: int = 0
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client(threading.Thread):
    def __init__(self, *, port: int, me: Persona, other: Persona, deadline: float, results: Results, seed: int):
        super().__init__(daemon=True)
        self.port, self.me, self.other, self.deadline, self.results = port, me, other, deadline, results
        self.rng = random.Random(seed)
        self.cookie = f"sessionid={me.session_key}; csrftoken={CSRF_TOKEN}"
        self.kinds, self.weights = list(MIX), list(MIX.values())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes, float]:
        body = urlencode({**form, "csrfmiddlewaretoken": CSRF_TOKEN}, doseq=True) if form is not None else None
        headers = {"Cookie": self.cookie, "Host": f"127.0.0.1:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        # gunicorn's sync workers close the connection after each response: one per request.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            return response.status, content, time.perf_counter() - started
        finally:
            conn.close()

    def one(self) -> None:
        me, rng = self.me, self.rng
        kind = rng.choices(self.kinds, self.weights)[0]
        grant = rng.choice(me.grant_ids)
        application = rng.choice(me.application_ids)
        if kind == "grants list":
            expected, check = 200, True
            status, content, elapsed = self.request("GET", f"/grants/?page={rng.randint(1, 20)}")
        elif kind == "dashboard":
            # Not checked for markers: a user's dashboard may list none of their grants.
            expected, check = 200, False
            status, content, elapsed = self.request("GET", "/dashboard/")
        elif kind == "grant detail":
            expected, check = 200, True
            status, content, elapsed = self.request("GET", f"/grants/{grant}/")
        elif kind == "other user's grant":
            expected, check = 404, False
            status, content, elapsed = self.request("GET", f"/grants/{rng.choice(self.other.grant_ids)}/")
        elif kind == "save grant":
            expected, check = 302, False
            status, content, elapsed = self.request("POST", f"/grants/{grant}/save/", {})
        elif kind == "unsave grant":
            expected, check = 302, False
            status, content, elapsed = self.request("POST", f"/grants/{grant}/unsave/", {})
        elif kind == "application page":
            expected, check = 200, True
            status, content, elapsed = self.request("GET", f"/applications/{application}/")
        else:
            expected, check = 302, False
            key = rng.choice(me.section_keys)
            text = f"Edited {key} for [u{me.user_id}] at {time.time():.3f}."
            status, content, elapsed = self.request(
                "POST", f"/applications/{application}/sections/{key}/", {"text": text}
            )
        leaked = False
        if check and status == 200:
            owners = {int(found) for found in MARKER.findall(content.decode("utf-8", "replace"))}
            leaked = bool(owners - {me.user_id}) or not owners
        with self.results.lock:
            self.results.latencies[kind].append(elapsed)
            self.results.statuses[status] += 1
            if status >= 500:
                self.results.server_errors += 1
            if status != expected:
                self.results.unexpected[(kind, status)] += 1
            if check and status == 200:
                self.results.checked_bodies += 1
                self.results.leaks += leaked

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            try:
                self.one()
            except OSError as error:
                with self.results.lock:
                    self.results.unexpected[("connection error", type(error).__name__)] += 1


def stop_and_drop(processes: list, *, server: dict, name: str, keep: bool) -> None:
    """Stop the benchmark's processes, then drop its scratch database unless it is to be kept."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    if keep:
        return
    from django.conf import settings
    from django.db import connections

    if settings.configured:  # not when the build failed before Django was set up
        connections.close_all()
    with admin_connection(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    log(f"dropped {name}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] * 1000


def run_level(*, port: int, people: list[Persona], clients: int, duration: float) -> Results:
    results = Results()
    deadline = time.monotonic() + duration
    threads = [
        Client(
            port=port,
            me=people[i % len(people)],
            other=people[(i + 1) % len(people)],
            deadline=deadline,
            results=results,
            seed=i,
        )
        for i in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.elapsed = time.monotonic() - started
    return results


def report(clients: int, results: Results) -> None:
    everything = [value for values in results.latencies.values() for value in values]
    total = len(everything)
    print(f"\n== {clients} concurrent clients, {results.elapsed:.1f} s ==")
    print(
        f"requests {total:,}  ({total / results.elapsed:.1f} req/s)  "
        f"p50 {percentile(everything, 0.50):.0f} ms  p95 {percentile(everything, 0.95):.0f} ms  "
        f"p99 {percentile(everything, 0.99):.0f} ms  mean {statistics.fmean(everything) * 1000:.0f} ms"
    )
    print(
        f"5xx: {results.server_errors}   responses with another user's rows: {results.leaks} "
        f"(of {results.checked_bodies:,} pages checked)   statuses: {dict(sorted(results.statuses.items()))}"
    )
    if results.unexpected:
        print(f"unexpected: {dict(results.unexpected)}")
    print(f"{'kind':<20} {'n':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in MIX:
        values = results.latencies.get(kind, [])
        if values:
            print(
                f"{kind:<20} {len(values):>7} {len(values) / results.elapsed:>7.1f} {percentile(values, 0.5):>8.0f} "
                f"{percentile(values, 0.95):>8.0f} {percentile(values, 0.99):>8.0f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--clients", default="8,64", help="comma-separated concurrency levels")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per level")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load before measuring")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: its config)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", help="an existing bench_load_* database to run against")
    args = parser.parse_args()

    server = server_settings()
    name = args.reuse or f"bench_load_{os.getpid()}"
    if not name.startswith("bench_load_"):
        raise SystemExit("--reuse takes a bench_load_* database: this script drops and rewrites what it uses")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GF_"))} | {
        "DJANGO_SETTINGS_MODULE": "grantfinder.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # Fixed, so a --reuse database stays readable (production settings refuse the development key).
        "ENCRYPTION_KEYS": "YmVuY2gta2V5LW5vdC1mb3ItcHJvZHVjdGlvbi0wMDA=",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(server, name),
    }
    processes: list[subprocess.Popen] = []
    try:
        if not args.reuse:
            build_database(server, name, grants=args.grants, env=env)
        else:
            migrate(env)  # the code may have new migrations since the database was kept
        setup_django(env)
        spread_grants(users=args.users)
        people = personas(users=args.users)
        log(f"{len(people)} signed-in users, {sum(len(p.grant_ids) for p in people):,} grant ids sampled")
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )

        port = free_port()
        web_env = env | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
        if args.workers:
            web_env["GUNICORN_WORKERS"] = str(args.workers)
        server_log = open(ROOT / "var" / f"{name}-server.log", "w")  # noqa: SIM115 - lives as long as the servers
        processes.append(
            subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "-c", "grantfinder/gunicorn.conf.py"],
                cwd=ROOT,
                env=web_env,
                stdout=server_log,
                stderr=server_log,
            )
        )
        processes.append(
            subprocess.Popen(
                [PYTHON, "manage.py", "db_worker", "--no-reload"],
                cwd=ROOT,
                env=env,
                stdout=server_log,
                stderr=server_log,
            )
        )
        wait_healthy(port)
        log(f"gunicorn on 127.0.0.1:{port} healthy; server log: var/{name}-server.log")
        if args.warmup:
            log(f"warm-up, {args.warmup:.0f} s")
            run_level(port=port, people=people, clients=8, duration=args.warmup)
        failed = False
        for clients in [int(level) for level in args.clients.split(",")]:
            log(f"{clients} clients for {args.duration:.0f} s")
            results = run_level(port=port, people=people, clients=clients, duration=args.duration)
            report(clients, results)
            failed |= results.server_errors > 0 or results.leaks > 0
        print(
            f"\nmachine: {os.cpu_count()} cores, load average now {os.getloadavg()[0]:.1f}; "
            f"client, gunicorn and PostgreSQL share it"
        )
        return 1 if failed else 0
    finally:
        stop_and_drop(processes, server=server, name=name, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
