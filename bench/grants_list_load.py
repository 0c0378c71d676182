"""Benchmark: the grants list page for a user owning 10,000 grants in a 1,000,000-grant table,
8 concurrent clients against a real server (gunicorn) on 127.0.0.1.

On a scratch database (``bench_grants_list_<pid>``, dropped at the end unless ``--keep``):

1. copies it from the kept, migrated ``bench_grants_template`` (created on first use), creates 100 users and fills ``grants`` with ``--grants`` rows (default 1,000,000)
   spread evenly over them, interleaved so one user's rows are scattered over the whole heap;
   the measured user owns 1 % (10,000) and has saved 500; then ``VACUUM ANALYZE``;
2. starts gunicorn (``--workers``, default 4, DEBUG off, static files collected) on a free port;
3. after a warm-up, 8 client threads each send ``--requests`` GETs of list pages (default sort,
   deep pages, other sorts, text filter, saved filter, score+deadline filter) with the user's
   session cookie; prints p50/p95/p99 latency per kind and overall, and the throughput;
4. counts the SQL queries of each kind of page (in-process test client), and prints EXPLAIN
   (ANALYZE) of every query on ``grants`` a page makes, checking that none is a sequential scan.

Usage::

    .venv/bin/python bench/grants_list_load.py [--grants 1000000] [--requests 100] [--workers 4] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench._grants_common import PYTHON, ROOT, create_migrated_database, drop_database, log, manage, project_env

CLIENTS = 8
PAGES = {
    "default (best match)": lambda rng: "/grants/",
    "deep page, best match": lambda rng: f"/grants/?page={rng.randint(2, 400)}",
    "sort by deadline": lambda rng: f"/grants/?sort=deadline&page={rng.randint(1, 50)}",
    "sort by amount": lambda rng: f"/grants/?sort=amount&page={rng.randint(1, 50)}",
    "text filter": lambda rng: "/grants/?q=broadband",
    "saved only": lambda rng: "/grants/?saved=on",
    "score >= 0.7, next 30 days": lambda rng: "/grants/?min_score=0.7&deadline_within=30&sort=deadline",
}
FILL_SQL = """
INSERT INTO grants (user_id, title, description, funding_amount, deadline, source_url, source_name,
                    overall_composite_score, funder_name, funding_display, keywords, categories, score_reasons,
                    record_status, created_at, updated_at)
SELECT (%(users)s::bigint[])[1 + g %% %(user_count)s],
       'Grant ' || g || ' for ' || (ARRAY['broadband', 'rural health', 'housing', 'clean energy', 'literacy'])[1 + g %% 5],
       'Supports ' || (ARRAY['broadband', 'rural health', 'housing', 'clean energy', 'literacy'])[1 + g %% 5]
           || ' projects in communities across the country.',
       ((g::bigint * 7919) %% 1000) * 1000.0,
       now() + (((g::bigint * 7919) %% 400) - 100) * interval '1 day',
       'https://www.grants.gov/search-results-detail/' || g,
       'Grants.gov',
       CASE WHEN g %% 17 = 0 THEN NULL ELSE ((g::bigint * 2654435761) %% 1000) / 1000.0 END,
       'Agency ' || (g %% 40),
       'Up to $' || ((g::bigint * 7919) %% 1000) || ',000',
       '[]'::jsonb,
       jsonb_build_array((ARRAY['IS', 'HL', 'HO', 'EN', 'ED'])[1 + g %% 5]),
       '{}'::jsonb,
       CASE WHEN g %% 10 = 0 THEN 'EXPIRED' ELSE 'ACTIVE' END,
       now() - (g %% 700) * interval '1 hour',
       now()
FROM generate_series(1, %(grants)s) AS g
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(name: str) -> None:
    os.environ.update(project_env(name))
    os.environ["DJANGO_SETTINGS_MODULE"] = "grantfinder.settings"
    import django

    django.setup()


def fill(grants: int, user_count: int = 100) -> int:
    from django.db import connection

    from accounts.models import User, UserSettings
    from grants.models import Grant, SavedGrant

    users = User.objects.bulk_create([User(email=f"bench{i}@example.com") for i in range(user_count)])
    measured = users[0]
    log(f"inserting {grants:,} grants")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FILL_SQL, {"users": [u.pk for u in users], "user_count": len(users), "grants": grants})
    log(f"  {time.perf_counter() - started:.0f} s")
    user_settings = UserSettings.objects.create(user=measured)
    saved = Grant.objects.filter(user=measured).order_by("id").values_list("id", flat=True)[::20][:500]
    SavedGrant.objects.bulk_create([SavedGrant(user_settings=user_settings, grant_id=pk) for pk in saved])
    log("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE grants")
        cursor.execute("VACUUM ANALYZE saved_grants")
        cursor.execute("VACUUM ANALYZE user_settings")
    return measured.pk


def session_cookie(user_id: int) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def load(base: str, cookie: str, requests_per_client: int) -> None:
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    kinds = list(PAGES)

    def client(number: int) -> None:
        rng = random.Random(number)
        session = requests.Session()
        headers = {"Cookie": f"sessionid={cookie}"}
        for i in range(requests_per_client):
            kind = kinds[(number + i) % len(kinds)]
            started = time.perf_counter()
            response = session.get(base + PAGES[kind](rng), headers=headers, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                results.append((kind, elapsed, response.status_code))

    for kind in kinds:  # warm-up: every worker process connects and caches its templates
        for _ in range(8):
            requests.get(base + PAGES[kind](random.Random(0)), headers={"Cookie": f"sessionid={cookie}"}, timeout=60)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    bad = [r for r in results if r[2] != 200]
    print(f"\n{len(results)} requests from {CLIENTS} concurrent clients in {wall:.1f} s: "
          f"{len(results) / wall:.1f} pages/s, {len(bad)} not 200")  # fmt: skip
    print(f"  {'page':30} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in kinds + ["all"]:
        times = [r[1] * 1000 for r in results if kind in ("all", r[0])]
        print(
            f"  {kind:30} {len(times):4d} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f}"
            f" {percentile(times, 0.99):8.1f}"
        )


def queries_and_plans(user_id: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    print("\nSQL queries per page (in-process; session and user lookups included):")
    plans = {}
    for kind, url in PAGES.items():
        path = url(random.Random(1))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        print(f"  {kind:30} {len(captured.captured_queries):3d}  {path}")
        plans[kind] = [q["sql"] for q in captured.captured_queries if '"grants"' in q["sql"]]
    seq_scans = []
    print("\nEXPLAIN (ANALYZE) of each query on grants:")
    for kind, statements in plans.items():
        for sql in statements:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
            if any("Seq Scan on grants" in line for line in plan):
                seq_scans.append((kind, sql))
            nodes = [line.strip() for line in plan if "Scan" in line or "Execution Time" in line]
            print(f"  [{kind}] {sql[:110]}...")
            for line in nodes:
                print(f"      {line}")
    print(f"\nSequential scans of grants: {len(seq_scans)}" + ("" if not seq_scans else f" {seq_scans}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="per client")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=100, help="the grants are spread over this many users")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    name = f"bench_grants_list_{os.getpid()}"
    server = None
    try:
        create_migrated_database(name)
        manage(name, "collectstatic", "--no-input", debug=False)
        setup_django(name)
        user_id = fill(args.grants, args.users)
        cookie = session_cookie(user_id)
        port = free_port()
        log(f"starting gunicorn with {args.workers} workers on 127.0.0.1:{port}")
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "grantfinder.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers)],
            cwd=ROOT,
            env=project_env(name) | {"DATABASE_CONN_MAX_AGE": "600"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                # /health's first answer computes the migration plan: slow on a busy machine.
                if requests.get(base + "/health", timeout=30).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)  # a benchmark waiting for its server, not a test
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE user_id = %s) FROM grants", [user_id])
            total, mine = cursor.fetchone()
        print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work on it counts); gunicorn {args.workers} sync workers, DEBUG off; "
              f"grants table: {total:,} rows, the user's: {mine:,}")  # fmt: skip
        load(base, cookie, args.requests)
        queries_and_plans(user_id)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(name)


if __name__ == "__main__":
    main()
