"""Benchmark: how well keyword search ranks the sample catalog, on judged queries.

On a scratch database (``bench_search_quality_<pid>``, copied from the migrated template, dropped
at the end), loads the bundled sample catalog and runs each query of ``search_judgments.json``
through ``grants.selectors.opportunity_search`` (what search runs and alerts use). Prints, per
query and overall, nDCG@10 (graded gains 2^grade - 1, log2 discount; the ideal ranking is built
from the judged opportunities that are open, i.e. that search may return) and the zero-result
rate, beside the goal (nDCG@10 >= 0.80, no query without results).

``--before`` also runs the search as it was before issue 16, for comparison: PostgreSQL's
``websearch_to_tsquery`` (every word required) ranked by ``ts_rank``.

``--catalog N`` then adds N generated opportunities (the extract writer, as big as the real
catalog with 83000) and times every judged query as a search run asks it (the first 200), with
both searches, plus EXPLAIN ANALYZE of one: the ranking must stay index-backed and fast.

Usage::

    .venv/bin/python bench/search_quality.py [--before] [--verbose] [--catalog 83000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._grants_common import create_migrated_database, drop_database, log, project_env

JUDGMENTS = Path(__file__).resolve().parent / "search_judgments.json"
GOAL_NDCG = 0.80
K = 10
PLACES = ("Louisiana", "Mississippi", "Texas", "Alaska", "New Mexico", "Montana", "Puerto Rico")
PLACE = re.compile(rf"^(Appalachian )?(?P<program>.+?)( in (?P<place>{'|'.join(PLACES)}))? Program FY\d{{4}}$")


def program_and_place(title: str) -> tuple[str, str]:
    match = PLACE.match(title)
    if not match:
        return title, ""
    place = match.group("place") or ("Appalachian" if match.group(1) else "")
    return match.group("program"), place


def grade(judgment: dict, title: str) -> int:
    program, place = program_and_place(title)
    wanted = judgment["want"].get(program, 0)
    if not wanted or "place" not in judgment:
        return wanted
    if place == judgment["place"]:
        return wanted
    return 1 if not place else 0


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:K]))


def legacy_search(criteria, today):
    """The search before issue 16: every word required (websearch_to_tsquery), ranked by ts_rank."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db.models import F

    from grants.criteria import SearchCriteria
    from grants.selectors import opportunity_search

    found = opportunity_search(criteria=SearchCriteria(include_forecasts=criteria.include_forecasts), today=today)
    query = SearchQuery(criteria.keywords, search_type="websearch", config="english")
    return found.filter(search=query).annotate(rank=SearchRank(F("search"), query)).order_by("-rank", "id")


def evaluate(name: str, search, judgments: list[dict], *, verbose: bool) -> tuple[float, float]:
    from django.utils import timezone

    from grants.criteria import SearchCriteria
    from grants.models import Opportunity
    from grants.selectors import opportunity_search

    today = timezone.localdate()
    open_titles = list(opportunity_search(criteria=SearchCriteria(), today=today).values_list("title", flat=True))
    assert Opportunity.objects.count() == 300
    scores, zero = [], 0
    print(f"\n{name}")
    for judgment in judgments:
        titles = list(search(SearchCriteria(keywords=judgment["query"]), today).values_list("title", flat=True)[:200])
        ideal = dcg(sorted((grade(judgment, t) for t in open_titles), reverse=True))
        score = dcg([grade(judgment, t) for t in titles]) / ideal if ideal else 0.0
        scores.append(score)
        zero += not titles
        if verbose or not titles or score < GOAL_NDCG:
            print(f"  {score:5.2f}  {len(titles):3d} found  {judgment['query']}")
    mean = sum(scores) / len(scores)
    rate = zero / len(judgments)
    print(
        f"  {len(judgments)} queries: nDCG@{K} {mean:.3f} (goal >= {GOAL_NDCG}), zero-result rate {rate:.1%} (goal 0%)"
    )
    return mean, rate


def timings(name: str, search, judgments: list[dict]) -> None:
    from django.utils import timezone

    from grants.criteria import SearchCriteria

    today = timezone.localdate()
    times, counts = [], []
    for judgment in judgments:
        started = time.perf_counter()
        counts.append(len(list(search(SearchCriteria(keywords=judgment["query"]), today)[:200])))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(
        f"  {name}: median {statistics.median(times):.0f} ms, p90 {times[int(len(times) * 0.9)]:.0f} ms, "
        f"max {times[-1]:.0f} ms; results (first 200) median {statistics.median(counts):.0f}"
    )


def large_catalog(size: int, judgments: list[dict], ranked, *, before: bool) -> None:
    from django.db import connection
    from django.utils import timezone

    from grants.criteria import SearchCriteria
    from grants.demo.extract_writer import write_extract
    from grants.models import Opportunity
    from grants.services import catalog_sync_xml

    with tempfile.TemporaryDirectory() as workdir:
        log(f"writing and importing {size:,} generated opportunities")
        catalog_sync_xml(path=write_extract(Path(workdir) / "extract.xml", count=size, seed=83))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE opportunities")
    total = Opportunity.objects.count()
    print(f"\nTimings over {total:,} opportunities, {len(judgments)} queries (cold: first pass; then again):")
    runs = [("now", ranked)] + ([("before", legacy_search)] if before else [])
    for name, search in runs:
        timings(f"{name} (cold)", search, judgments)
    for name, search in runs:
        timings(name, search, judgments)
    query = ranked(SearchCriteria(keywords="broadband rural internet"), timezone.localdate())[:200]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql, params)
        print("\nEXPLAIN ANALYZE of 'broadband rural internet':")
        for (line,) in cursor.fetchall():
            print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", action="store_true", help="also run the search as it was before issue 16")
    parser.add_argument("--verbose", action="store_true", help="print every query, not only those under the goal")
    parser.add_argument(
        "--catalog", type=int, default=0, help="then time the queries over this many more opportunities"
    )
    args = parser.parse_args()
    name = f"bench_search_quality_{os.getpid()}"
    create_migrated_database(name)
    try:
        os.environ.update(project_env(name))
        os.environ["DJANGO_SETTINGS_MODULE"] = "grantfinder.settings"
        import django

        django.setup()
        from grants.selectors import opportunity_search
        from grants.services import catalog_sync_demo

        log("loading the sample catalog")
        catalog_sync_demo()
        from django.db import connection

        with connection.cursor() as cursor:
            # The ranking reads the column statistics; autovacuum would gather them within a minute.
            cursor.execute("ANALYZE opportunities")
        judgments = json.loads(JUDGMENTS.read_text())["queries"]
        if args.before:
            evaluate(
                "Before (every word required, websearch_to_tsquery)", legacy_search, judgments, verbose=args.verbose
            )

        def ranked(criteria, today):
            return opportunity_search(criteria=criteria, today=today)

        evaluate("Now (grants.selectors.opportunity_search)", ranked, judgments, verbose=args.verbose)
        if args.catalog:
            large_catalog(args.catalog, judgments, ranked, before=args.before)
        connection.close()
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
