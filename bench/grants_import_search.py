"""Benchmark: importing an 83,000-record Grants.gov XML extract, then one search run over it.

On a scratch database (``bench_grants_import_<pid>``, dropped at the end unless ``--keep``):

1. copies it from the kept, migrated ``bench_grants_template`` (created on first use) and writes a
   generated extract of ``--records`` opportunities (default 83,000, the
   size of the real corpus) in the extract's format (grants/demo/extract_writer.py);
2. times ``manage.py sync_grants --source grantsgov-xml FILE`` as a child process and reads its
   peak RSS from ``wait4``; then imports the same file again (every record unchanged);
3. shows that parsing memory is flat: peak RSS of streaming a tenth of the file and all of it;
4. runs search runs for a user with a business profile (``search_run_execute``, in-process, as the
   worker would) and prints their duration, plus EXPLAIN of the full-text query.

Usage::

    .venv/bin/python bench/grants_import_search.py [--records 83000] [--keep]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._grants_common import PYTHON, create_migrated_database, drop_database, log, measure, project_env

PARSE_ONLY = (
    "import sys; from grants.sources.grantsgov_xml import iter_extract; "
    "n = sum(1 for _ in iter_extract(sys.argv[1])); print(n)"
)
# The floors an import is measured against, each in its own process:
# parsing and hashing each record (what an unchanged re-import cannot avoid);
PARSE_HASH = (
    "import sys; from grants.sources.grantsgov_xml import iter_extract_raw; "
    "n = sum(1 for _ in iter_extract_raw(sys.argv[1])); print(n)"
)
# parsing and normalising every record into the catalog's columns (sanitised HTML, its text);
NORMALISE = (
    "import sys, django; django.setup(); from datetime import date; "
    "from grants.services.catalog import _fields; from grants.sources.grantsgov_xml import iter_extract; "
    "n = sum(1 for r in iter_extract(sys.argv[1]) if not isinstance(r, Exception) and _fields(r, date.today())); "
    "print(n)"
)
# and COPY of those rows into the empty, indexed catalog table (only the COPY is timed).
COPY_INTO_INDEXED = """
import sys, time, django
django.setup()
from datetime import date
from django.db import connection, transaction
from grants.services.catalog import CONTENT_FIELDS, _fields, _hash
from grants.sources.grantsgov_xml import iter_extract
from django.utils import timezone
now = timezone.now()
rows = {}
for r in iter_extract(sys.argv[1]):
    if not isinstance(r, Exception):
        fields = _fields(r, date.today())
        rows[(r.source, r.external_id)] = [r.source, r.external_id, *fields.values(), _hash(fields), [], now, now, ""]
columns = ["source", "external_id", *CONTENT_FIELDS, "content_hash", "changed_fields", "first_seen_at", "updated_at",
           "source_hash"]
started = time.perf_counter()
with transaction.atomic(), connection.cursor() as cursor:
    with cursor.copy(f"COPY opportunities ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows.values():
            copy.write_row([psycopg_json(v) for v in row])
print(f"{time.perf_counter() - started:.3f}")
"""
COPY_INTO_INDEXED = COPY_INTO_INDEXED.replace(
    "import sys, time, django",
    "import sys, time, json, django\ndef psycopg_json(v):\n    return json.dumps(v) if isinstance(v, list) else v",
)


def head_of_extract(source: Path, target: Path, records: int) -> Path:
    """The first ``records`` records of an extract, as its own file."""
    with source.open() as src, target.open("w") as out:
        count = 0
        for line in src:
            if line.startswith("<Opportunity"):
                count += 1
                if count > records:
                    continue
            out.write(line)
    return target


def search_runs(name: str) -> None:
    os.environ.update(project_env(name))
    os.environ["DJANGO_SETTINGS_MODULE"] = "grantfinder.settings"
    import django

    django.setup()
    from django.db import connection

    from accounts.models import User
    from grants.criteria import SearchCriteria
    from grants.models import Grant
    from grants.selectors import opportunity_search
    from grants.services.search_runs import search_run_execute, search_run_start
    from profiles.models import BusinessProfile

    user = User.objects.create_user(email=f"bench{os.getpid()}@example.com", searches_limit=1000)
    BusinessProfile.objects.create(
        user=user,
        business_name="Bayou Connect",
        organization_type="nonprofit",
        mission_statement="Bring affordable broadband and digital skills to rural Louisiana parishes.",
        service_description="Community Wi-Fi hubs, digital literacy classes and device lending.",
        target_sectors=["Telecommunications", "Education"],
        geographic_focus="Louisiana",
        revenue_range="$250k-$1M",
        team_size=12,
    )
    cases = [
        ("keywords 'rural broadband'", SearchCriteria(keywords="rural broadband")),
        ("keywords 'health clinic' + eligibility 12", SearchCriteria(keywords="health clinic", eligibility=["12"])),
        ("profile defaults, no keywords", SearchCriteria(categories=["CD", "ED", "IS"], eligibility=["12", "13"])),
        ("everything open, no filters", SearchCriteria()),
    ]
    print("\nSearch runs (search_run_execute, as the worker runs it; at most 200 matches scored and saved):")
    print(f"  {'case':45} {'total s':>8} {'score+save ms':>14} {'found':>6} {'high':>5} {'new':>5}")
    for label, criteria in cases:
        run = search_run_start(user=user, criteria=criteria)
        started = time.perf_counter()
        run = search_run_execute(run_id=run.pk)
        elapsed = time.perf_counter() - started
        print(
            f"  {label:45} {elapsed:8.3f} {run.processing_time_ms:14d} {run.grants_found:6d} {run.high_priority:5d}"
            f" {run.error_details['new_grants']:5d}  ({run.status})"
        )
    print(f"  grants saved for the user: {Grant.objects.filter(user=user).count()}")
    from django.utils import timezone

    query = opportunity_search(criteria=SearchCriteria(keywords="rural broadband"), today=timezone.localdate())[:200]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql, params)
        print("\nEXPLAIN ANALYZE of the catalog full-text query ('rural broadband'):")
        for (line,) in cursor.fetchall():
            print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=83_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    name = f"bench_grants_import_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="bench_grants_"))
    try:
        create_migrated_database(name)
        from grants.demo.extract_writer import write_extract

        log(f"writing a {args.records:,}-record extract")
        extract = write_extract(workdir / f"GrantsDBExtract_{args.records}.xml", count=args.records, seed=83)
        size_mb = extract.stat().st_size / 1e6
        env = project_env(name)
        command = [PYTHON, "manage.py", "sync_grants", "--source", "grantsgov-xml", str(extract), "--no-alerts"]
        log("importing")
        first_s, first_rss, first_out, _ = measure(command, env=env)
        log("importing again (unchanged)")
        again_s, again_rss, again_out, _ = measure(command, env=env)
        tenth = head_of_extract(extract, workdir / "tenth.xml", args.records // 10)
        # The same import of a tenth of the file, into a fresh copy: peak memory must not differ.
        small = f"{name}_tenth"
        create_migrated_database(small)
        small_command = [PYTHON, "manage.py", "sync_grants", "--source", "grantsgov-xml", str(tenth), "--no-alerts"]
        small_import = measure(small_command, env=project_env(small))
        drop_database(small)
        django_baseline = measure([PYTHON, "manage.py", "check"], env=env)
        parse_tenth = measure([PYTHON, "-c", PARSE_ONLY, str(tenth)], env=env)
        parse_all = measure([PYTHON, "-c", PARSE_ONLY, str(extract)], env=env)
        baseline = measure([PYTHON, "-c", "import grants.sources.grantsgov_xml"], env=env)
        log("floors: parse+hash, parse+normalise, COPY into the indexed table")
        django_env = env | {"DJANGO_SETTINGS_MODULE": "grantfinder.settings"}
        hash_floor = measure([PYTHON, "-c", PARSE_HASH, str(extract)], env=env)
        normalise_floor = measure([PYTHON, "-c", NORMALISE, str(extract)], env=django_env)
        empty = f"{name}_copy"
        create_migrated_database(empty)
        copy_run = measure([PYTHON, "-c", COPY_INTO_INDEXED, str(extract)], env=project_env(empty) | {
            "DJANGO_SETTINGS_MODULE": "grantfinder.settings"})  # fmt: skip
        drop_database(empty)
        copy_floor = float(copy_run[2].strip().splitlines()[-1])

        print(
            f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work on it counts); PostgreSQL embedded in var/pgdata; Python {sys.version.split()[0]}"
        )
        print(f"\nXML extract import, {args.records:,} records, {size_mb:.0f} MB of XML:")
        print(
            f"  first import:  {first_s:7.1f} s  peak RSS {first_rss:6.0f} MiB  ({args.records / first_s:,.0f} records/s)"
        )
        print(f"                 {first_out.strip()}")
        print(f"  second import: {again_s:7.1f} s  peak RSS {again_rss:6.0f} MiB")
        print(f"                 {again_out.strip()}")
        print(f"  a tenth ({args.records // 10:,} records) into an empty catalog: {small_import[0]:5.1f} s  "
              f"peak RSS {small_import[1]:6.0f} MiB")  # fmt: skip
        print(f"  (Django alone, manage.py check: peak RSS {django_baseline[1]:.0f} MiB)")
        first_floor = normalise_floor[0] + copy_floor
        print("\nAgainst the floors (issue 13: first ≤ 1.5×, unchanged ≤ 2×):")
        print(f"  parse + hash:                    {hash_floor[0]:7.1f} s  peak RSS {hash_floor[1]:6.0f} MiB")
        print(f"  parse + normalise + sanitise:    {normalise_floor[0]:7.1f} s  peak RSS {normalise_floor[1]:6.0f} MiB")
        print(f"  COPY into the indexed table:     {copy_floor:7.1f} s")
        print(
            f"  first import:   {first_s:7.1f} s = {first_s / first_floor:4.2f}× (parse+normalise + COPY = {first_floor:.1f} s)"
        )
        print(
            f"  unchanged again:{again_s:7.1f} s = {again_s / hash_floor[0]:4.2f}× (parse+hash = {hash_floor[0]:.1f} s)"
        )
        print("\nStreaming parse only (memory must not grow with the file):")
        print(f"  interpreter + module:      peak RSS {baseline[1]:6.0f} MiB")
        print(f"  {args.records // 10:>7,} records: {parse_tenth[0]:6.1f} s  peak RSS {parse_tenth[1]:6.0f} MiB")
        print(f"  {args.records:>7,} records: {parse_all[0]:6.1f} s  peak RSS {parse_all[1]:6.0f} MiB")
        search_runs(name)
    finally:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(name)


if __name__ == "__main__":
    main()
