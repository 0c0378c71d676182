"""Bar line 35 under Locust: gunicorn on 127.0.0.1 with (2 x cores) + 1 workers, 100 users, 2 minutes.

It sets up what bench/load.py sets up (a scratch ``bench_load_<pid>`` database converted from the
legacy fill by ``migrate``, ``--grants`` grants spread over ``--users`` users with each title marked
by its owner, two drafts each, a signed-in session per user; gunicorn from
grantfinder/gunicorn.conf.py with its default workers, and a ``db_worker``), then runs Locust
headless (bench/locustfile.py: the same mix of reads and writes, each user pausing 1-3 s between
requests as a person would, ``--think 0`` for none; every listing page checked for another user's
rows) and prints the figures beside the bar's floors: fail ratio <= 1 %, p95 <= 800 ms, no 5xx,
no response with another user's rows. The figures are what this machine does with the client,
gunicorn and PostgreSQL on it (and anything else running); they are printed, never asserted.
Exit status 1 when a floor is missed.

Usage (from the project root)::

    .venv/bin/python bench/load_locust.py                       # 100 users, 2 min, 20,000 grants
    .venv/bin/python bench/load_locust.py --think 0             # no think time: the server saturated
    .venv/bin/python bench/load_locust.py --grants 1000000      # the reference catalog size (slow build)
    .venv/bin/python bench/load_locust.py --reuse bench_load_123 --users 100 --duration 60
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import (  # noqa: E402 - after the path is set
    PYTHON,
    ROOT,
    build_database,
    database_url,
    free_port,
    log,
    migrate,
    personas,
    server_settings,
    setup_django,
    spread_grants,
    stop_and_drop,
    wait_healthy,
)

FLOORS = {"fail ratio %": 1.0, "p95 ms": 800.0, "5xx": 0, "leaks": 0}
# Measured here (README, "Benchmarks"): 100 users, 1-3 s think time, 20,000 grants, 2 shared cores at
# load ~3 (p95 140 ms at load ~6.6). Printed beside each run, so a regression shows before it reaches
# the bar's floor.
BASELINE = {"fail ratio %": 0.0, "p95 ms": 46.0, "5xx": 0, "leaks": 0}


def run_locust(
    *, port: int, users: int, duration: int, spawn_rate: float, think: str, people: list, workdir: Path
) -> dict:
    personas_file, tallies_file = workdir / "personas.json", workdir / "tallies.json"
    personas_file.write_text(json.dumps([asdict(person) for person in people]))
    env = os.environ | {
        "LOCUST_PERSONAS": str(personas_file),
        "LOCUST_TALLIES": str(tallies_file),
        "LOCUST_THINK": think,
    }
    command = [
        PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
        "--host", f"http://127.0.0.1:{port}", "-u", str(users), "-r", str(spawn_rate), "-t", f"{duration}s",
        "--stop-timeout", "30", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, env=env, check=False)
    return json.loads(tallies_file.read_text())


def report(result: dict, *, users: int, duration: int, workers: int, think: str) -> bool:
    total, tallies = result["total"], result["tallies"]
    figures = {
        "fail ratio %": 100 * total["failures"] / max(total["requests"], 1),
        "p95 ms": total["p95"],
        "5xx": tallies.get("5xx", 0),
        "leaks": tallies.get("leaks", 0),
    }
    pause = "no think time" if think == "0" else f"think time {think.replace(',', '-')} s"
    print(f"\n== Locust: {users} users ({pause}) for {duration} s, gunicorn with {workers} workers on 127.0.0.1 ==")
    print(
        f"requests {total['requests']:,} ({total['rps']:.1f} req/s), failures {total['failures']}; "
        f"p50 {total['p50']:.0f} ms  p95 {total['p95']:.0f} ms  p99 {total['p99']:.0f} ms  max {total['max']:.0f} ms"
    )
    print(f"pages checked for other users' rows: {tallies.get('pages checked', 0):,}")
    print(f"{'figure':<14} {'measured':>10} {'baseline':>9} {'floor':>8}")
    met = True
    for name, floor in FLOORS.items():
        value = figures[name]
        met &= value <= floor
        print(f"{name:<14} {value:>10.2f} {BASELINE[name]:>9} {floor:>8}{'' if value <= floor else '  MISSED'}")
    print(f"{'kind':<20} {'n':>7} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, kind in result["kinds"].items():
        print(
            f"{name:<20} {kind['requests']:>7} {kind['failures']:>5} {kind['p50']:>7.0f} {kind['p95']:>7.0f} "
            f"{kind['p99']:>7.0f}"
        )
    for name, error, occurrences in result["errors"][:10]:
        print(f"failure: {name}: {error} x{occurrences}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=100, help="Locust users, each signed in as its own user")
    parser.add_argument("--duration", type=int, default=120, help="seconds")
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    parser.add_argument(
        "--think", default="1,3", help='seconds between a user\'s requests, "min,max"; "0" saturates the server'
    )
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
        "ENCRYPTION_KEYS": "YmVuY2gta2V5LW5vdC1mb3ItcHJvZHVjdGlvbi0wMDA=",  # as bench/load.py, for --reuse
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(server, name),
    }
    workers = (os.cpu_count() or 1) * 2 + 1  # gunicorn.conf.py's default, the bar's (2 x cores) + 1
    processes: list[subprocess.Popen] = []
    try:
        if args.reuse:
            migrate(env)
        else:
            build_database(server, name, grants=args.grants, env=env)
        setup_django(env)
        spread_grants(users=args.users)
        people = personas(users=args.users)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )
        port = free_port()
        server_log = open(ROOT / "var" / f"{name}-locust-server.log", "w")  # noqa: SIM115 - lives as long as the servers
        web_env = env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
        for command, process_env in (
            ([PYTHON, "-m", "gunicorn", "-c", "grantfinder/gunicorn.conf.py"], web_env),
            ([PYTHON, "manage.py", "db_worker", "--no-reload"], env),
        ):
            processes.append(subprocess.Popen(command, cwd=ROOT, env=process_env, stdout=server_log, stderr=server_log))
        wait_healthy(port)
        log(f"gunicorn ({workers} workers) on 127.0.0.1:{port}; Locust {args.users} users for {args.duration} s")
        load_before = os.getloadavg()
        with tempfile.TemporaryDirectory() as workdir:
            result = run_locust(
                port=port, users=args.users, duration=args.duration, spawn_rate=args.spawn_rate, think=args.think,
                people=people, workdir=Path(workdir),
            )  # fmt: skip
        met = report(result, users=args.users, duration=args.duration, workers=workers, think=args.think)
        print(
            f"\nmachine: {os.cpu_count()} cores; load average {load_before[0]:.1f} before, "
            f"{os.getloadavg()[0]:.1f} after (1 min); {args.grants:,} grants over {args.users} users; "
            "Locust, gunicorn and PostgreSQL share the machine"
        )
        return 0 if met else 1
    finally:
        stop_and_drop(processes, server=server, name=name, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
