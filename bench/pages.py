"""Benchmark: each page's cost in one process, as a multiple of ``/health`` (issue 13).

On a scratch database (``bench_pages_<pid>``, dropped at the end unless ``--keep``) copied from the
kept, migrated ``bench_grants_template``, it fills ``grants`` with ``--grants`` rows (default
100,000) spread over ``--users`` users (default 10, so the measured user owns 10,000), saves 500
of the measured user's grants and gives them a search run; then ``VACUUM ANALYZE``.

In this process (production settings, DEBUG off, Django's test client signed in as that user) it
warms every page up, then makes ``--rounds`` rounds (default 40), each requesting every page once
in turn, so a burst of other work on the machine hits every page alike. It prints, per page, the
median wall time and CPU time, the wall time as a multiple of ``/health`` (the floor: the
framework, the session and one query), the issue's ceiling for that page, and the SQL query count
at two sizes of the user's grants (it must not grow); and each page as a multiple of an empty view
(bench/_pages_urls.py), the framework's own floor. The machine's load average is printed with
the figures: ratios from one run are what count.

Usage::

    .venv/bin/python bench/pages.py [--grants 100000] [--users 10] [--rounds 40] [--keep]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._grants_common import create_migrated_database, drop_database, log, manage, project_env
from bench.grants_list_load import FILL_SQL

# page -> (path, ceiling as a multiple of /health, or None when the issue names none)
PAGES = {
    "empty view": ("/bench-empty", None),
    "/health": ("/health", 1),
    "grants list, default sort": ("/grants/", 5),
    "grants list, deadline sort": ("/grants/?sort=deadline", 5),
    "grants list, amount sort": ("/grants/?sort=amount", None),
    "grants list, newest": ("/grants/?sort=newest", None),
    "grants list, page 300 (next)": ("/grants/?page=300&after={cursor}", None),
    "grants list, page 300 (typed)": ("/grants/?page=300", None),
    "grants list, q=broadband": ("/grants/?q=broadband", 6),
    "grants list, saved only": ("/grants/?saved=on", None),
    "dashboard": ("/dashboard/", 6),
    "grant detail": ("/grants/{grant}/", None),
    "search form": ("/search/", None),
    "/api/grants": ("/api/grants", None),
}


def setup_django(name: str) -> None:
    os.environ.update(project_env(name))
    os.environ["DJANGO_SETTINGS_MODULE"] = "grantfinder.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench._pages_urls"  # the project's URLs plus an empty view


def fill(*, grants: int, users: int) -> tuple[int, int]:
    """(measured user id, a user with few grants), the measured one owning grants/users rows."""
    from django.db import connection

    from accounts.models import User, UserSettings
    from grants.models import Grant, SavedGrant, SearchRun

    people = User.objects.bulk_create([User(email=f"pages{i}@example.com") for i in range(users)])
    measured = people[0]
    log(f"inserting {grants:,} grants over {users} users")
    with connection.cursor() as cursor:
        cursor.execute(FILL_SQL, {"users": [u.pk for u in people], "user_count": len(people), "grants": grants})
    # A user with few grants: the query counts must match the measured user's.
    small = User.objects.create(email="pages-small@example.com")
    few = list(Grant.objects.filter(user=measured).order_by("id")[:30])
    for grant in few:
        grant.pk = None
        grant.user = small
    Grant.objects.bulk_create(few)
    from applications.models import GeneratedApplication
    from profiles.models import BusinessProfile

    for person in (measured, small):
        # An established user: profile, a search and an application done (the checklist is gone).
        BusinessProfile.objects.create(user=person, business_name="Bench Co", mission_statement="Broadband")
        GeneratedApplication.objects.create(user=person, grant=Grant.objects.filter(user=person).first(), sections={})
        user_settings = UserSettings.objects.create(user=person)
        saved = Grant.objects.filter(user=person).order_by("id").values_list("id", flat=True)[::20][:500]
        SavedGrant.objects.bulk_create([SavedGrant(user_settings=user_settings, grant_id=pk) for pk in saved])
        SearchRun.objects.create(user=person, grants_found=10, high_priority=2, status="SUCCESS")
    # /health answers 200 only with a live background worker: one beat, refreshed far in the future.
    from django.utils import timezone

    from core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(
        worker_id="bench-pages",
        hostname="bench",
        pid=os.getpid(),
        started_at=timezone.now(),
        last_seen_at=timezone.now() + timedelta(days=1),
    )
    log("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        for table in ("grants", "saved_grants", "user_settings", "search_runs"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return measured.pk, small.pk


def client_for(user_id: int):
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client


def paths_for(user_id: int) -> dict[str, str]:
    from urllib.parse import quote

    from grants import selectors
    from grants.models import Grant

    mine = Grant.objects.filter(user_id=user_id)
    grant = mine.order_by("-overall_composite_score", "id").values_list("pk", flat=True).first()
    # The "Next" link of page 299: the cursor of its last row (the small user's: of a middle row).
    if hasattr(selectors, "_cursor_encode"):
        ordered = mine.order_by(*selectors.ORDERINGS["score"]).values(*selectors.LIST_COLUMNS)
        cursor = selectors._cursor_encode("score", ordered[min(299 * 25 - 1, mine.count() // 2)])
    else:  # code from before keyset pages: the cursor is ignored, page 300 read by OFFSET
        cursor = ""
    return {name: path.format(grant=grant, cursor=quote(cursor)) for name, (path, _) in PAGES.items()}


def query_count(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


def measure(client, paths: dict[str, str], rounds: int) -> dict[str, tuple[float, float]]:
    wall: dict[str, list[float]] = {name: [] for name in paths}
    cpu: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(5):  # warm-up: templates compiled, connection open, caches filled
        for path in paths.values():
            assert client.get(path).status_code == 200, path
    for _ in range(rounds):
        for name, path in paths.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
            assert response.status_code == 200, (path, response.status_code)
    return {name: (statistics.median(wall[name]) * 1000, statistics.median(cpu[name]) * 1000) for name in paths}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", help="a kept bench_pages_<pid> database: skip building")
    args = parser.parse_args()
    name = args.reuse or f"bench_pages_{os.getpid()}"
    try:
        if not args.reuse:
            create_migrated_database(name)
            manage(name, "collectstatic", "--no-input", debug=False)
        setup_django(name)
        if args.reuse:
            from accounts.models import User

            user_id = User.objects.get(email="pages0@example.com").pk
            small_id = User.objects.get(email="pages-small@example.com").pk
        else:
            user_id, small_id = fill(grants=args.grants, users=args.users)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE user_id = %s) FROM grants", [user_id])
            total, mine = cursor.fetchone()
        client, small_client = client_for(user_id), client_for(small_id)
        paths, small_paths = paths_for(user_id), paths_for(small_id)
        load_before = os.getloadavg()[0]
        figures = measure(client, paths, args.rounds)
        load_after = os.getloadavg()[0]
        for name in paths:  # the small user's warm-up (its session's first-run checklist state)
            query_count(small_client, small_paths[name])
        counts = {
            name: (query_count(client, paths[name]), query_count(small_client, small_paths[name])) for name in paths
        }
        floor, cpu_floor = figures["/health"]
        print(
            f"\nOne process, production settings; median of {args.rounds} after warm-up. grants table {total:,} rows,"
            f" the user's {mine:,}. Machine: {os.cpu_count()} cores, load average {load_before:.1f} before,"
            f" {load_after:.1f} after (shared with other work)."
        )
        print(
            f"  {'page':28} {'wall ms':>8} {'CPU ms':>7} {'× /health':>9} {'CPU ×':>6} {'ceiling':>12}"
            f" {'× empty':>7} {'queries (10k / 30 grants)':>26}"
        )
        for page, (wall_ms, cpu_ms) in figures.items():
            ceiling = PAGES[page][1]
            ratio = wall_ms / floor
            verdict = "" if ceiling is None else (" ok" if ratio <= ceiling else " OVER")
            big, small = counts[page]
            print(
                f"  {page:28} {wall_ms:8.2f} {cpu_ms:7.2f} {ratio:8.1f}× {cpu_ms / cpu_floor:5.1f}×"
                f" {f'≤ {ceiling}×' if ceiling else '':>7}{verdict:5} {wall_ms / figures['empty view'][0]:6.1f}×"
                f" {big:8d} / {small:<4d}{' GROWS' if big > small else ''}"
            )
    finally:
        if not args.keep and not args.reuse:
            from django.db import connections

            connections.close_all()
            drop_database(name)


if __name__ == "__main__":
    main()
