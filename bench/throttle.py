"""Rate-limit benchmark (bar line 28): what counting a request costs, alone and under contention.

On a scratch database (``bench_throttle_<pid>``, dropped at the end) holding only the cache table,
it times ``accounts.throttling.throttle_hit`` (the check every generation, search run and API write
makes) through the configured cache: PostgreSQL's ``cache_entries`` table (the default), or Redis
when ``REDIS_URL`` is set. It prints, for one caller and for ``--threads`` callers at once (all on
one user's counter, the worst case: one row, locked per count; then each on their own), checks per
second and p50/p95/p99 latency, beside the floor we hold ourselves to, and whether the counts came
out exact (no count lost under contention). Figures are printed, never asserted.

Usage (from the project root)::

    .venv/bin/python bench/throttle.py                    # 2,000 checks alone, 8 threads x 500
    .venv/bin/python bench/throttle.py --checks 500 --threads 4
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/throttle.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grantfinder.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

# The floor, for a lone caller: a check stays a sliver of a request's budget (bar line 35's p95 of
# 800 ms for the whole request). Contended figures are printed beside it, without a floor.
FLOOR_P95_MS = 5.0


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    quantiles = statistics.quantiles(ordered, n=100, method="inclusive")
    return quantiles[49], quantiles[94], quantiles[98]


def _run(label: str, *, threads: int, checks: int, same_user: bool, floor: bool = False) -> None:
    from django.core.cache import cache
    from django.db import connections

    from accounts.throttling import throttle_hit

    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)
    run_id = time.time_ns()

    def caller(index: int) -> None:
        user = SimpleNamespace(pk=run_id if same_user else run_id + index + 1)
        mine = []
        start.wait()
        for _ in range(checks):
            began = time.perf_counter()
            throttle_hit(user=user, scope="bench")
            mine.append((time.perf_counter() - began) * 1000)
        connections.close_all()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=caller, args=(i,)) for i in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    p50, p95, p99 = _percentiles(latencies)
    window = int(time.time() // 86400)
    if same_user:
        expected = {run_id: threads * checks}
    else:
        expected = {run_id + i + 1: checks for i in range(threads)}
    # A count can straddle midnight UTC (a day's window); then it is split, not lost.
    counted = {pk: sum(cache.get(f"throttle:bench:{pk}:{w}", 0) for w in (window - 1, window)) for pk in expected}
    exact = "exact" if counted == expected else f"LOST COUNTS: {counted} != {expected}"
    print(
        f"{label:<34} {len(latencies) / elapsed:>8.0f} checks/s   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms "
        + (f"(floor {FLOOR_P95_MS:.0f} ms)   " if floor else " " * 16)
        + f"p99 {p99:6.2f} ms   counts {exact}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=2000, help="checks by the lone caller (default 2000)")
    parser.add_argument("--threads", type=int, default=8, help="callers at once (default 8)")
    parser.add_argument("--per-thread", type=int, default=500, help="checks per concurrent caller (default 500)")
    args = parser.parse_args()

    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    settings.THROTTLE_RATES["bench"] = "1000000000/day"  # counted, never refused
    database = connection.settings_dict
    scratch = f"bench_throttle_{os.getpid()}"
    admin = {"user": database["USER"], "host": database["HOST"], "port": database["PORT"], "dbname": "postgres"}
    redis = bool(os.environ.get("REDIS_URL"))
    if not redis:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        database["NAME"] = scratch
        connections.close_all()
        call_command("createcachetable", verbosity=0)
    try:
        backend = settings.CACHES["default"]["BACKEND"]
        cpus = os.cpu_count()
        print(f"throttle_hit through {backend} ({'Redis' if redis else 'PostgreSQL ' + scratch}), {cpus} CPUs")
        _run("one caller", threads=1, checks=args.checks, same_user=True, floor=True)
        _run(
            f"{args.threads} callers, one user's counter", threads=args.threads, checks=args.per_thread, same_user=True
        )
        _run(f"{args.threads} callers, a counter each", threads=args.threads, checks=args.per_thread, same_user=False)
    finally:
        connections.close_all()
        if not redis:
            with psycopg.connect(**admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


if __name__ == "__main__":
    main()
