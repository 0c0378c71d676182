"""Benchmark: what worker recycling costs the requests in flight (issue 13).

Starts gunicorn with the project's configuration (``grantfinder/gunicorn.conf.py``, production
settings) twice against a migrated scratch database copied from ``bench_grants_template``: once
with the jitter gunicorn's documentation suggests (a tenth of ``max_requests``), once with the
project's default (as large as ``max_requests``). ``--max-requests`` (default 300) is set low so a
run of ``--duration`` seconds (default 40) recycles every worker several times. Eight clients
request the home page (the lightest page: what is measured is the wait for a worker, not the
page) as fast as they can. Prints requests/s, p50/p95/p99 and the longest wait, and how many
workers booted, per configuration; the load average beside them.

Usage::

    .venv/bin/python bench/recycle.py [--max-requests 300] [--duration 40] [--workers 4]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._grants_common import PYTHON, ROOT, create_migrated_database, drop_database, log, manage, project_env

CLIENTS = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def run(name: str, *, max_requests: int, jitter: int, workers: int, duration: float) -> dict:
    port = free_port()
    env = project_env(name) | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_MAX_REQUESTS": str(max_requests),
        "GUNICORN_MAX_REQUESTS_JITTER": str(jitter),
        "GUNICORN_LOG_LEVEL": "info",
        "DATABASE_CONN_MAX_AGE": "600",
    }
    server_log = ROOT / "var" / f"{name}-recycle-{jitter}.log"
    with server_log.open("w") as log_file:
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "grantfinder/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        try:
            for _ in range(240):
                try:
                    if get(port, "/") == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.5)  # a benchmark waiting for its server, not a test
            boots_before = server_log.read_text().count("Booting worker")
            times: list[float] = []
            errors = [0]
            lock = threading.Lock()
            stop = time.monotonic() + duration

            def client() -> None:
                while time.monotonic() < stop:
                    started = time.perf_counter()
                    try:
                        ok = get(port, "/") == 200
                    except OSError:
                        ok = False
                    elapsed = time.perf_counter() - started
                    with lock:
                        times.append(elapsed)
                        errors[0] += not ok

            threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=60)
    boots = server_log.read_text().count("Booting worker") - boots_before
    ordered = sorted(times)

    def pct(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] * 1000

    return {
        "requests": len(times),
        "rps": len(times) / wall,
        "p50": statistics.median(ordered) * 1000,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": ordered[-1] * 1000,
        "boots": boots,
        "errors": errors[0],
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-requests", type=int, default=300)
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    name = f"bench_recycle_{os.getpid()}"
    try:
        create_migrated_database(name)
        manage(name, "collectstatic", "--no-input", debug=False)
        results = {}
        for label, jitter in (
            ("jitter = max_requests / 10 (before)", args.max_requests // 10),
            ("jitter = max_requests (default now)", args.max_requests),
        ):
            log(f"gunicorn, {args.workers} workers, max_requests {args.max_requests}, jitter {jitter}")
            results[label] = run(
                name, max_requests=args.max_requests, jitter=jitter, workers=args.workers, duration=args.duration
            )
        print(
            f"\n{CLIENTS} clients on the home page for {args.duration:.0f} s, {args.workers} workers, max_requests"
            f" {args.max_requests}; {os.cpu_count()} cores shared with other work (load average per run)."
        )
        print(f"  {'configuration':38} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>8} {'max ms':>8} {'boots':>5}"
              f" {'errors':>6} {'load':>5}")  # fmt: skip
        for label, r in results.items():
            print(
                f"  {label:38} {r['rps']:7.1f} {r['p50']:7.1f} {r['p95']:7.1f} {r['p99']:8.1f} {r['max']:8.1f}"
                f" {r['boots']:5d} {r['errors']:6d} {r['load']:5.1f}"
            )
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
