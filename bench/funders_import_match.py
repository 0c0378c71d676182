"""Benchmark: importing a generated year of 990-PF returns, then funder matching over 5M grant rows.

On a scratch database (``bench_funders_<pid>``, dropped at the end unless ``--keep``):

1. writes a zip of ``--returns`` generated returns (default 110,000, a year of 990-PF e-filings)
   in the real XML shape of the 2015+ layout (header, item I, a capital gains block the importer
   skips, Part XV line 2 and ``--grants-mean`` grants per return on average, skewed as real
   foundations are: most list a handful, a few list hundreds);
2. times ``manage.py sync_funders --source irs-990pf ZIP`` as a child process and reads its peak
   RSS (``wait4``); then a tenth of the file, to show memory stays flat; then the same zip again
   (every return unchanged);
3. fills ``funder_grants`` to ``--grant-rows`` (default 5,000,000) with SQL, and times
   ``funders.selectors.funder_matches`` for profiles across states and purposes: p50/p95, and
   EXPLAIN (ANALYZE, BUFFERS) of the evidence query for one profile.

Usage::

    .venv/bin/python bench/funders_import_match.py [--returns 110000] [--grant-rows 5000000] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._grants_common import (
    PYTHON,
    create_migrated_database,
    database_url,
    drop_database,
    log,
    manage,
    measure,
    project_env,
)

STATES = ["CA", "NY", "TX", "FL", "IL", "PA", "OH", "MA", "NJ", "GA", "NC", "MI", "WA", "VA", "MN", "LA", "CO",
          "MD", "MO", "WI", "TN", "IN", "AZ", "CT", "OR", "OK", "KY", "SC", "AL", "IA", "UT", "KS", "NE", "AR",
          "MS", "NV", "NM", "DC", "ME", "NH", "RI", "HI", "ID", "WV", "DE", "MT", "SD", "ND", "VT", "AK", "WY"]  # fmt: skip
PURPOSES = [
    "GENERAL SUPPORT", "GENERAL OPERATING SUPPORT", "SCHOLARSHIP", "EDUCATION", "DIGITAL LITERACY PROGRAM",
    "ADULT LITERACY CLASSES", "FOOD PANTRY", "YOUTH SPORTS", "MUSEUM EXHIBITION", "MUSIC EDUCATION",
    "HOMELESS SHELTER", "AFFORDABLE HOUSING", "MEDICAL RESEARCH", "CANCER RESEARCH", "DISASTER RELIEF",
    "ENVIRONMENTAL CONSERVATION", "WATERSHED RESTORATION", "ANIMAL WELFARE", "RELIGIOUS", "CHURCH SUPPORT",
    "LIBRARY COMPUTERS AND INTERNET ACCESS", "BROADBAND ADOPTION", "WORKFORCE TRAINING", "VETERANS SERVICES",
    "MENTAL HEALTH SERVICES", "COMMUNITY DEVELOPMENT", "ARTS AND CULTURE", "CAPITAL CAMPAIGN", "STEM EDUCATION",
    "SENIOR SERVICES", "CHILD CARE", "LEGAL AID", "PUBLIC RADIO", "HOSPICE CARE", "AFTER SCHOOL PROGRAM",
]  # fmt: skip
PROFILES = [
    ("LA", ("digital", "literacy", "adult", "rural", "parish")),
    ("CA", ("watershed", "restoration", "conservation")),
    ("NY", ("music", "education", "youth")),
    ("TX", ("food", "pantry", "hunger")),
    ("MS", ("broadband", "internet", "library")),
    ("WY", ("veteran", "mental", "health")),
    ("", ("cancer", "research")),
]


def _grants_in_return(rng: random.Random, mean: float) -> int:
    # Skewed like the real filings: most foundations list a few grants, some list hundreds.
    return max(0, min(2000, int(rng.expovariate(1 / mean))))


def return_xml(rng: random.Random, index: int, grants_mean: float) -> tuple[str, int]:  # noqa: C901
    ein = f"{100000000 + index:09d}"
    state = rng.choice(STATES)
    rows = []
    for position in range(_grants_in_return(rng, grants_mean)):
        recipient_state = state if rng.random() < 0.6 else rng.choice(STATES)
        rows.append(
            "<GrantOrContributionPdDurYrGrp><RecipientBusinessName><BusinessNameLine1Txt>RECIPIENT "
            f"{index}-{position} INC</BusinessNameLine1Txt></RecipientBusinessName><RecipientUSAddress>"
            f"<AddressLine1Txt>{position} MAIN ST</AddressLine1Txt><CityNm>SPRINGFIELD</CityNm>"
            f"<StateAbbreviationCd>{recipient_state}</StateAbbreviationCd><ZIPCd>0{rng.randint(1000, 9999)}</ZIPCd>"
            "</RecipientUSAddress><RecipientRelationshipTxt>NONE</RecipientRelationshipTxt>"
            "<RecipientFoundationStatusTxt>PC</RecipientFoundationStatusTxt>"
            f"<GrantOrContributionPurposeTxt>{rng.choice(PURPOSES)}</GrantOrContributionPurposeTxt>"
            f"<Amt>{int(rng.lognormvariate(8.5, 1.2))}</Amt></GrantOrContributionPdDurYrGrp>"
        )
    gains = "".join(
        f"<CapGainsLossTxInvstIncmGrp><PropertyDesc>{n} SHS FUND</PropertyDesc><AcquiredDt>2021-01-04</AcquiredDt>"
        "<SoldDt>2022-03-01</SoldDt><GrossSalesPriceAmt>1000</GrossSalesPriceAmt><CostOrOtherBasisAmt>900"
        "</CostOrOtherBasisAmt><GainOrLossAmt>100</GainOrLossAmt></CapGainsLossTxInvstIncmGrp>"
        for n in range(rng.randint(0, 30))
    )
    preselected = "<OnlyContriToPreselectedInd>X</OnlyContriToPreselectedInd>" if rng.random() < 0.6 else ""
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><Return xmlns="http://www.irs.gov/efile" returnVersion="2022v5.0">'
        '<ReturnHeader binaryAttachmentCnt="0"><ReturnTs>2023-05-10T10:00:00-05:00</ReturnTs>'
        "<TaxPeriodEndDt>2022-12-31</TaxPeriodEndDt><ReturnTypeCd>990PF</ReturnTypeCd>"
        f"<TaxPeriodBeginDt>2022-01-01</TaxPeriodBeginDt><Filer><EIN>{ein}</EIN><BusinessName>"
        f"<BusinessNameLine1Txt>GENERATED FAMILY FOUNDATION {index}</BusinessNameLine1Txt></BusinessName>"
        f"<PhoneNum>5555550100</PhoneNum><USAddress><AddressLine1Txt>1 ELM ST</AddressLine1Txt><CityNm>CAPITAL</CityNm>"
        f"<StateAbbreviationCd>{state}</StateAbbreviationCd><ZIPCd>0{rng.randint(1000, 9999)}</ZIPCd></USAddress>"
        '</Filer><TaxYr>2022</TaxYr></ReturnHeader><ReturnData documentCnt="1"><IRS990PF documentId="IRS990PF">'
        f"<FMVAssetsEOYAmt>{rng.randint(10_000, 50_000_000)}</FMVAssetsEOYAmt>"
        f"<CapGainsLossTxInvstIncmDetail>{gains}</CapGainsLossTxInvstIncmDetail><SupplementaryInformationGrp>"
        f"{preselected}<ApplicationSubmissionInfoGrp><RecipientPersonNm>TRUSTEE</RecipientPersonNm>"
        "<FormAndInfoAndMaterialsTxt>LETTER</FormAndInfoAndMaterialsTxt><SubmissionDeadlinesTxt>NONE"
        "</SubmissionDeadlinesTxt><RestrictionsOnAwardsTxt>NONE</RestrictionsOnAwardsTxt></ApplicationSubmissionInfoGrp>"
        f"{''.join(rows)}<TotalGrantOrContriPdDurYrAmt>0</TotalGrantOrContriPdDurYrAmt></SupplementaryInformationGrp>"
        "</IRS990PF></ReturnData></Return>"
    )
    return xml, len(rows)


def write_zip(path: Path, returns: int, grants_mean: float, *, seed: int = 990, start: int = 0) -> int:
    rng = random.Random(seed)
    total = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index in range(start, start + returns):
            xml, count = return_xml(rng, index, grants_mean)
            total += count
            archive.writestr(f"2023_TEOS_XML_01A/2023{index:014d}_public.xml", xml)
    return total


def fill_grant_rows(name: str, target: int) -> None:
    """Top ``funder_grants`` up to ``target`` rows with SQL (indexes dropped, then rebuilt)."""
    import psycopg

    with psycopg.connect(database_url(name).replace("postgres://", "postgresql://"), autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM funder_grants").fetchone()[0]
        missing = target - have
        if missing <= 0:
            return
        defs = [row[0] for row in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'funder_grants' AND indexname <> 'funder_grants_pkey'"
        )]  # fmt: skip
        for definition in defs:
            conn.execute(f"DROP INDEX {definition.split(' INDEX ')[1].split(' ON ')[0]}")
        log(f"adding {missing:,} grant rows (indexes dropped)")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(
            """
            INSERT INTO funder_grants (filing_id, funder_id, tax_year, kind, position, recipient_name,
                recipient_name_line2, recipient_is_person, recipient_address_line1, recipient_city, recipient_state,
                recipient_zip, recipient_country, relationship, foundation_status, purpose, amount)
            SELECT r.id, r.funder_id, 2018 + (n %% 5), 'paid', n, 'RECIPIENT ' || n, '', false, '', 'SPRINGFIELD',
                   (%(states)s::text[])[1 + (hashint4(n) & 2147483647) %% %(nstates)s], '', '', 'NONE', 'PC',
                   (%(purposes)s::text[])[1 + (hashint4(n + 7) & 2147483647) %% %(npurposes)s],
                   1000 + (hashint4(n + 13) & 2147483647) %% 50000
            FROM generate_series(1, %(missing)s) AS n
            JOIN funder_returns r ON r.id = 1 + (hashint4(n + 3) & 2147483647) %% %(returns)s
            """,
            {
                "states": STATES, "nstates": len(STATES), "purposes": PURPOSES, "npurposes": len(PURPOSES),
                "missing": missing, "returns": conn.execute("SELECT max(id) FROM funder_returns").fetchone()[0],
            },
        )  # fmt: skip
        conn.execute(
            "UPDATE funder_returns r SET paid_grants = c.n FROM (SELECT filing_id, count(*) AS n FROM funder_grants "
            "WHERE kind = 'paid' GROUP BY filing_id) c WHERE c.filing_id = r.id"
        )
        log("rebuilding indexes")
        for definition in defs:
            conn.execute(definition)
        conn.execute("ANALYZE funder_grants")
        conn.execute("ANALYZE funders")


def matching(name: str, repeats: int) -> None:
    os.environ.update(project_env(name))
    os.environ["DJANGO_SETTINGS_MODULE"] = "grantfinder.settings"
    import django

    django.setup()
    from django.db import connection

    from funders.matching import ProfileNeeds
    from funders.selectors import MATCH_WORK_MEM, evidence_sql, funder_matches

    rows = connection.cursor()
    rows.execute("SELECT count(*) FROM funder_grants")
    log(f"funder_grants: {rows.fetchone()[0]:,} rows")
    timings = []
    for _ in range(repeats):
        for state, terms in PROFILES:
            needs = ProfileNeeds(state=state, terms=terms, budget=250_000)
            started = time.perf_counter()
            found = funder_matches(needs)
            timings.append(time.perf_counter() - started)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(f"matching: {len(timings)} profiles, p50 {statistics.median(timings) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms ({len(found)} matches for the last)")  # fmt: skip
    sql, params = evidence_sql(ProfileNeeds(state="LA", terms=PROFILES[0][1], budget=250_000))
    with connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{MATCH_WORK_MEM}'")  # as funder_matches runs it
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--returns", type=int, default=110_000)
    parser.add_argument("--grants-mean", type=float, default=14.0, help="grants per return on average")
    parser.add_argument("--grant-rows", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--matching-only", metavar="DATABASE", help="skip the import; match on a kept database")
    args = parser.parse_args()
    if args.matching_only:
        log(f"migrating {args.matching_only}")
        manage(args.matching_only, "migrate", "--no-input")
        fill_grant_rows(args.matching_only, args.grant_rows)
        matching(args.matching_only, args.repeats)
        return
    name = f"bench_funders_{os.getpid()}"
    create_migrated_database(name)
    try:
        with tempfile.TemporaryDirectory() as folder:
            archive = Path(folder) / "2023_TEOS_XML_01A.zip"
            started = time.perf_counter()
            grants = write_zip(archive, args.returns, args.grants_mean)
            log(f"wrote {args.returns:,} returns, {grants:,} grants, {archive.stat().st_size / 2**20:.0f} MiB zipped "
                f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
            tenth = Path(folder) / "tenth.zip"
            write_zip(tenth, args.returns // 10, args.grants_mean, seed=991, start=args.returns)
            env = project_env(name)
            command = [PYTHON, "manage.py", "sync_funders", "--source", "irs-990pf"]
            small_wall, small_rss, *_ = measure([*command, str(tenth)], env=env)
            wall, rss, out, _ = measure([*command, str(archive)], env=env)
            print(f"import: {args.returns:,} returns, {grants:,} grant rows in {wall:.0f} s = "
                  f"{grants / wall:,.0f} grant rows/s, {args.returns / wall:,.0f} returns/s, peak RSS {rss:.0f} MiB "
                  f"(a tenth of the size: {small_rss:.0f} MiB)")  # fmt: skip
            print(f"  {out.strip()}")
            again_wall, again_rss, again_out, _ = measure([*command, str(archive)], env=env)
            print(
                f"second import (all unchanged): {again_wall:.1f} s, peak RSS {again_rss:.0f} MiB: {again_out.strip()}"
            )
        fill_grant_rows(name, args.grant_rows)
        matching(name, args.repeats)
    finally:
        if args.keep:
            log(f"kept {name}")
        else:
            drop_database(name)


if __name__ == "__main__":
    main()
